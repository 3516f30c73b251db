using CrowdShield.Core.Actions;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Core.Validation;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace CrowdShield.Web.Components.Live;

/// <summary>The common operator commands, each behind a confirmation step, and the history every screen shares.</summary>
public sealed partial class ActionsPanel
{
    public const string FreeCommand = "other";
    private const int Keep = 50;

    private static readonly IReadOnlySet<string> Shown = new HashSet<string> { MessageTypes.ActionCreated };

    public static readonly IReadOnlyList<Command> Commands =
    [
        new("open_gate", "Open gate", Icons.Material.Filled.DoorFront),
        new("close_gate", "Close gate", Icons.Material.Filled.DoorBack),
        new("dispatch_staff", "Dispatch staff", Icons.Material.Filled.DirectionsRun),
        new("announcement", "Announcement", Icons.Material.Filled.Campaign),
        new(FreeCommand, "Other command", Icons.Material.Filled.Edit),
    ];

    private readonly List<ActionCreatedPayload> _history = [];
    private Command? _pending;
    private string _command = "";
    private string _zoneId = "";
    private string _note = "";
    private string? _error;
    private bool _busy;

    [Parameter] public bool ReadOnly { get; set; }
    /// <summary>Field tablets: an action aimed at a zone gets an "On it" button, and who took it shows on every screen.</summary>
    [Parameter] public bool CanTake { get; set; }

    [Inject] public required ActionService Actions { get; init; }
    [Inject] public required ISnackbar Snackbar { get; init; }

    protected override IReadOnlySet<string> Types => Shown;

    protected override async Task LoadAsync()
    {
        _history.Clear();
        _history.AddRange((await Actions.ListAsync(EventId, Keep)).Select(ActionService.Payload));
    }

    protected override void Apply(RealtimeMessage message, bool live)
    {
        var action = message.Read<ActionCreatedPayload>();
        // action:created comes again when someone takes the action: the same id, now with takenBy.
        var known = _history.FindIndex(a => a.Id == action.Id);
        if (known >= 0)
        {
            var wasTaken = _history[known].TakenBy is not null;
            _history[known] = action;
            if (live && !wasTaken && action.TakenBy is not null)
            {
                Snackbar.Add($"{action.TakenBy} is on it: {Label(action.Command)}{(action.ZoneId is null ? "" : $" · {ZoneName(action.ZoneId)}")}", Severity.Info);
            }
            return;
        }
        _history.Insert(0, action);
        if (_history.Count > Keep)
        {
            _history.RemoveAt(_history.Count - 1);
        }
        if (live)
        {
            Snackbar.Add($"{Label(action.Command)}{(action.ZoneId is null ? "" : $" · {ZoneName(action.ZoneId)}")} by {action.CreatedBy}", Severity.Info);
        }
    }

    private void Begin(Command command)
    {
        _pending = command;
        (_command, _zoneId, _note, _error) = (command.Id == FreeCommand ? "" : command.Id, "", "", null);
    }

    private void Cancel() => _pending = null;

    private async Task ConfirmAsync()
    {
        var caller = await CallerAsync();
        var request = new ActionRequest(EventId, _command, string.IsNullOrEmpty(_zoneId) ? null : _zoneId, string.IsNullOrWhiteSpace(_note) ? null : _note.Trim());
        var errors = new ValidationErrors();
        request.Validate(errors);
        if (caller is null || !errors.IsValid)
        {
            _error = caller is null ? "Your session has ended; sign in again." : string.Join(" ", errors.ToDictionary().SelectMany(e => e.Value));
            return;
        }
        _busy = true;
        try
        {
            await Actions.CreateAsync(request, caller);
            _pending = null;
        }
        catch (ValidationException ex)
        {
            _error = string.Join(" ", ex.Errors.ToDictionary().SelectMany(e => e.Value));
        }
        catch (ForbiddenException)
        {
            _error = "You may no longer record actions for this event.";
        }
        finally
        {
            _busy = false;
        }
    }


    private async Task TakeAsync(string actionId)
    {
        if (await CallerAsync() is not { } caller)
        {
            Snackbar.Add("Your session has ended; sign in again.", Severity.Error);
            return;
        }
        try
        {
            if (await Actions.TakeAsync(actionId, caller) is { } action)
            {
                var known = _history.FindIndex(a => a.Id == actionId);
                if (known >= 0)
                {
                    _history[known] = ActionService.Payload(action);
                }
            }
        }
        catch (ForbiddenException)
        {
            Snackbar.Add("You may no longer take actions for this event.", Severity.Error);
        }
    }

    public static string Label(string command) => Commands.FirstOrDefault(c => c.Id == command)?.Label ?? command;

    public sealed record Command(string Id, string Label, string Icon);
}
