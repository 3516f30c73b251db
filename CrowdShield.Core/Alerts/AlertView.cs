namespace CrowdShield.Core.Alerts;

/// <summary>An alert as the API, the webhooks and the shift log show it.</summary>
public sealed record AlertView(
    string Id, string EventId, string? ZoneId, string? CameraId, string Type, string Message, string Severity, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy, DateTimeOffset? ResolvedAt, string? ResolvedBy,
    DateTimeOffset? RecoveredAt)
{
    /// <summary>Forecast alerts: when the zone is expected to pass its threshold, the count then and its 80 % interval.</summary>
    public DateTimeOffset? ExpectedAt { get; init; }
    public ForecastView? Forecast { get; init; }
    /// <summary>How often it escalated because nobody acknowledged it (0: never), and when last.</summary>
    public int EscalationLevel { get; init; }
    public DateTimeOffset? EscalatedAt { get; init; }
    public AssigneeView? Assignee { get; init; }
    public IReadOnlyList<CommentView> Comments { get; init; } = [];

    public static AlertView Of(Alert a) => new(a.Id, a.EventId, a.ZoneId, a.CameraId, a.Type, a.Message, a.Severity, a.Status,
        a.CreatedAt, a.AcknowledgedAt, a.AcknowledgedBy, a.ResolvedAt, a.ResolvedBy, a.RecoveredAt)
    {
        ExpectedAt = a.ExpectedAt,
        Forecast = a.ForecastCount is { } count ? new ForecastView(count, a.ForecastLow ?? count, a.ForecastHigh ?? count) : null,
        EscalationLevel = a.EscalationLevel,
        EscalatedAt = a.EscalatedAt,
        Assignee = a.AssigneeId is { } id ? new AssigneeView(id, a.AssigneeName ?? id) : null,
        Comments = [.. a.Comments.OrderBy(c => c.At).Select(CommentView.Of)],
    };
}

/// <summary>The count forecast for <see cref="AlertView.ExpectedAt"/> and its 80 % interval.</summary>
public sealed record ForecastView(int Count, int Low, int High);

public sealed record AssigneeView(string Id, string Name);

public sealed record CommentView(string Id, string Text, string Author, DateTimeOffset At)
{
    public static CommentView Of(AlertComment c) => new(c.Id, c.Text, c.Author, c.At);
}
