using CrowdShield.Core.Notifications;
using CrowdShield.Core.Users;
using CrowdShield.Core.Validation;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Notifications;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace CrowdShield.Web.Components.Pages.Field;

/// <summary>
/// Web Push for the field tablet: asks once whether alerts may reach it as notifications, and registers the
/// browser's subscription (with the server's VAPID key) for the routing table's push channel.
/// </summary>
public sealed partial class PushOptIn
{
    private IJSObjectReference? _module;
    private string _state = "unknown";
    private string? _error;
    private bool _busy;
    private bool _justSubscribed;

    [Parameter, EditorRequired] public required string EventId { get; set; }

    [Inject] public required IJSRuntime JS { get; init; }
    [Inject] public required VapidKeys Keys { get; init; }
    [Inject] public required RoutingTable Routing { get; init; }
    [Inject] public required CurrentUser CurrentUser { get; init; }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }
        try
        {
            _module = await JS.InvokeAsync<IJSObjectReference>("import", "./js/push.js");
            _state = await _module.InvokeAsync<string>("state");
            StateHasChanged();
        }
        catch (JSDisconnectedException)
        {
            // The tablet went away before it could be asked.
        }
    }

    private async Task EnableAsync()
    {
        if (_module is null)
        {
            return;
        }
        _busy = true;
        try
        {
            var (publicKey, _, _) = await Keys.GetAsync();
            var subscription = await _module.InvokeAsync<PushRegistrationInput>("subscribe", publicKey);
            if (await CurrentUser.GetAsync() is not { } caller)
            {
                _error = "Your session has ended; sign in again.";
                return;
            }
            await Routing.RegisterPushAsync(EventId, subscription, caller);
            (_state, _justSubscribed, _error) = ("subscribed", true, null);
        }
        catch (JSException ex)
        {
            // Refused in the browser's prompt, or no push service reachable.
            _error = $"Notifications could not be turned on: {ex.Message}";
            _state = "asked";
        }
        catch (ValidationException)
        {
            _error = "This browser gave an unusable push subscription; alerts stay on this page.";
        }
        catch (ForbiddenException)
        {
            _error = "You may no longer receive this event's alerts.";
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task DeclineAsync()
    {
        _state = "asked";
        if (_module is not null)
        {
            await _module.InvokeVoidAsync("decline");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_module is not null)
            {
                await _module.DisposeAsync();
            }
        }
        catch (JSDisconnectedException)
        {
        }
    }
}
