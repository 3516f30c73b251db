using CrowdShield.Core.Events;
using CrowdShield.Core.Users;
using CrowdShield.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace CrowdShield.Web.Components.Pages;

/// <summary>
/// A page about one event: it shows nothing unless the signed-in user may open it (<see cref="PageAccess"/>), and
/// while it is open it checks again every few seconds. When the user is demoted, removed from the event, disabled,
/// deleted, changes their password or signs out elsewhere, the page stops showing live data (its widgets and their
/// subscriptions go) and says so: an open circuit is no way around a changed authority.
/// </summary>
public abstract class EventPageBase : ComponentBase, IDisposable
{
    /// <summary>With the directory's 15-second cache, a change reaches an open page within 20 seconds.</summary>
    public static readonly TimeSpan AccessCheckEvery = TimeSpan.FromSeconds(4);

    private readonly CancellationTokenSource _stop = new();
    private bool _watching;

    [Parameter, EditorRequired]
    public required string EventId { get; set; }

    [Inject] public required EventDirectory Events { get; init; }
    [Inject] public required UserDirectory Users { get; init; }
    [Inject] public required TimeProvider Time { get; init; }

    [CascadingParameter]
    public required Task<AuthenticationState> AuthenticationState { get; set; }

    /// <summary>The <see cref="PageAccess"/> policy of this page.</summary>
    protected abstract string Page { get; }

    protected EventDefinition? EventDefinition { get; private set; }
    protected Caller? Caller { get; private set; }
    protected bool NotFound { get; private set; }

    /// <summary>The user could open this page but no longer may; its live content is gone.</summary>
    protected bool AccessLost { get; private set; }

    protected override async Task OnParametersSetAsync()
    {
        Caller = await Users.FindAsync((await AuthenticationState).User);
        EventDefinition = Caller?.MayOpen(Page, EventId) == true ? await Events.FindAsync(EventId) : null;
        NotFound = EventDefinition is null;
        if (!NotFound && RendererInfo.IsInteractive && !_watching)
        {
            _watching = true;
            _ = WatchAccessAsync();
        }
    }

    private async Task WatchAccessAsync()
    {
        try
        {
            using var timer = new PeriodicTimer(AccessCheckEvery, Time);
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var caller = await Users.FindAsync((await AuthenticationState).User, _stop.Token);
                if (caller?.MayOpen(Page, EventId) != true)
                {
                    await InvokeAsync(() =>
                    {
                        AccessLost = true;
                        StateHasChanged();
                    });
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page closed.
        }
        catch (Exception ex)
        {
            await DispatchExceptionAsync(ex);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
