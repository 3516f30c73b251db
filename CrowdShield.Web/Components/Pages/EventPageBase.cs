using CrowdShield.Core.Events;
using CrowdShield.Core.Users;
using CrowdShield.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace CrowdShield.Web.Components.Pages;

/// <summary>A page about one event: it shows nothing unless the signed-in user is a member (or an admin).</summary>
public abstract class EventPageBase : ComponentBase
{
    [Parameter, EditorRequired]
    public required string EventId { get; set; }

    [Inject] public required EventDirectory Events { get; init; }
    [Inject] public required UserDirectory Users { get; init; }

    [CascadingParameter]
    public required Task<AuthenticationState> AuthenticationState { get; set; }

    protected EventDefinition? EventDefinition { get; private set; }
    protected Caller? Caller { get; private set; }
    protected bool NotFound { get; private set; }

    protected override async Task OnParametersSetAsync()
    {
        Caller = await Users.FindAsync((await AuthenticationState).User);
        EventDefinition = Caller?.CanSee(EventId) == true ? await Events.FindAsync(EventId) : null;
        NotFound = EventDefinition is null;
    }
}
