using CrowdShield.Core.Events;
using CrowdShield.Core.Users;
using CrowdShield.Core.Validation;
using CrowdShield.Web.Auth;
using Microsoft.AspNetCore.Components;

namespace CrowdShield.Web.Components.Pages.Admin;

/// <summary>
/// The administrator's page: every user, created, changed (name, role, events), disabled, given a new password or
/// deleted, with the same rules and audit as the API (UserAccounts); and the audit log.
/// </summary>
public sealed partial class AdminUsers
{
    private IReadOnlyList<UserView> _users = [];
    private IReadOnlyList<Event> _events = [];
    private UserView? _editing;
    private string? _email;
    private string? _name;
    private string _role = Roles.Operator;
    private readonly HashSet<string> _eventIds = new(StringComparer.Ordinal);
    private string? _password;
    private bool _disabled;
    private bool _busy;
    private bool _confirmDelete;
    private string? _message;
    private bool _messageIsError;
    private IReadOnlyDictionary<string, string[]> _errors = new Dictionary<string, string[]>();

    [Inject] public required UserAccounts Accounts { get; init; }
    [Inject] public required EventService EventService { get; init; }
    [Inject] public required CurrentUser CurrentUser { get; init; }

    protected override async Task OnInitializedAsync() => await LoadAsync();

    private async Task LoadAsync()
    {
        _users = [.. (await Accounts.ListAsync()).Select(UserView.Of)];
        if (await CurrentUser.GetAsync() is { } caller)
        {
            _events = await EventService.ListAsync(caller);
        }
    }

    private void New()
    {
        _editing = null;
        (_email, _name, _role, _password, _disabled, _confirmDelete) = (null, null, Roles.Operator, null, false, false);
        _eventIds.Clear();
        _errors = new Dictionary<string, string[]>();
        _message = null;
    }

    private void Edit(UserView user)
    {
        New();
        _editing = user;
        (_name, _role, _disabled) = (user.Name, user.Role, user.Disabled);
        _eventIds.UnionWith(user.EventIds);
    }

    private void ToggleEvent(string eventId, bool on)
    {
        if (on)
        {
            _eventIds.Add(eventId);
        }
        else
        {
            _eventIds.Remove(eventId);
        }
    }

    private async Task SaveAsync()
    {
        if (await CurrentUser.GetAsync() is not { } actor || !actor.IsAdmin)
        {
            Show("Your session has ended or you are no longer an admin; sign in again.", error: true);
            return;
        }
        var errors = new ValidationErrors();
        var eventIds = _role == Roles.Admin ? [] : _eventIds.ToList();
        _busy = true;
        try
        {
            if (_editing is null)
            {
                var request = new UserRequest(_email, _password, _name, _role, [.. eventIds]);
                request.Validate(errors);
                if (Invalid(errors))
                {
                    return;
                }
                var (outcome, user) = await Accounts.CreateAsync(request, actor);
                if (outcome == CreateUserOutcome.DuplicateEmail)
                {
                    _errors = new Dictionary<string, string[]> { ["email"] = ["A user with this email already exists."] };
                    return;
                }
                Show($"Created {user!.Email}.");
            }
            else
            {
                var patch = new UserPatch(_name, _role, [.. eventIds], _disabled, string.IsNullOrEmpty(_password) ? null : _password);
                patch.Validate(errors, _editing.Email);
                if (Invalid(errors))
                {
                    return;
                }
                var (outcome, _) = await Accounts.UpdateAsync(_editing.Id, patch, actor);
                if (outcome == UserChangeOutcome.LastAdmin)
                {
                    Show("This is the last enabled admin: make another admin first.", error: true);
                    return;
                }
                Show(outcome == UserChangeOutcome.NotFound ? "This user was deleted meanwhile." : $"Saved {_editing.Email}.", outcome == UserChangeOutcome.NotFound);
            }
            var message = (_message, _messageIsError);
            await LoadAsync();
            New();
            (_message, _messageIsError) = message;
        }
        catch (ValidationException ex)
        {
            Invalid(ex.Errors);
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task DeleteAsync()
    {
        if (_editing is null)
        {
            return;
        }
        if (!_confirmDelete)
        {
            _confirmDelete = true;
            return;
        }
        if (await CurrentUser.GetAsync() is not { } actor || !actor.IsAdmin)
        {
            Show("Your session has ended or you are no longer an admin; sign in again.", error: true);
            return;
        }
        var email = _editing.Email;
        var outcome = await Accounts.DeleteAsync(_editing.Id, actor);
        await LoadAsync();
        New();
        Show(outcome == UserChangeOutcome.LastAdmin ? "This is the last enabled admin: make another admin first." : $"Deleted {email}.",
            outcome == UserChangeOutcome.LastAdmin);
    }

    private bool Invalid(ValidationErrors errors)
    {
        _errors = new Dictionary<string, string[]>(errors.ToDictionary());
        if (!errors.IsValid)
        {
            Show("Check the marked fields.", error: true);
        }
        return !errors.IsValid;
    }

    private void Show(string message, bool error = false) => (_message, _messageIsError) = (message, error);

    private bool HasError(string field) => _errors.ContainsKey(field) || _errors.Keys.Any(k => k.StartsWith(field + "[", StringComparison.Ordinal));

    private string? ErrorOf(string field) =>
        _errors.Where(e => e.Key == field || e.Key.StartsWith(field + "[", StringComparison.Ordinal)).SelectMany(e => e.Value).FirstOrDefault();

    private string EventName(string eventId) => _events.FirstOrDefault(e => e.Id == eventId)?.Name ?? eventId;

    private string RowClass(UserView user, int _) => $"{(user.Disabled ? "user-disabled" : "")} {(user.Id == _editing?.Id ? "user-selected" : "")}";

    public static string RoleLabel(string role) => role switch
    {
        Roles.Admin => "Admin (everything)",
        Roles.Operator => "Operator (command center)",
        Roles.Field => "Field staff (tablet)",
        Roles.Viewer => "Viewer (wall display)",
        Roles.Device => "Device (sends data only)",
        _ => role,
    };
}
