namespace CrowdShield.Core.Validation;

/// <summary>
/// A request body that names the event it acts on and checks its own fields. The API validates it and the caller's
/// access to the event before the handler runs (one filter, not a preamble per handler).
/// </summary>
public interface IEventRequest
{
    string? EventId { get; }

    /// <param name="errors">Where each invalid field is named.</param>
    /// <param name="now">The server's clock, for bodies that carry a device's timestamp; others ignore it.</param>
    void Validate(ValidationErrors errors, DateTimeOffset now);
}
