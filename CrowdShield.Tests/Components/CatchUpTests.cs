using Bunit;
using System.Text.Json;
using CrowdShield.Core.Realtime;
using CrowdShield.Web.Components.Live;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdShield.Tests.Components;

/// <summary>A hub the test drives by hand, to deliver messages out of order or with gaps.</summary>
public sealed class ManualBus : IMessageBus
{
    public Func<RealtimeMessage, Task>? Handler { get; private set; }

    public Task<RealtimeMessage> PublishAsync(string eventId, string type, object payload, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The test delivers messages itself.");

    public IDisposable Subscribe(string eventId, Func<RealtimeMessage, Task> handler)
    {
        Handler = handler;
        return new Unsubscribe(this);
    }

    private sealed class Unsubscribe(ManualBus hub) : IDisposable
    {
        public void Dispose() => hub.Handler = null;
    }
}

public sealed class CatchUpTests() : WidgetTestContext(new ManualBus())
{
    private static FeedEntry Report(long seq, string message) => new()
    {
        EventId = EventId, Seq = seq, Type = MessageTypes.ReportNew, At = DateTimeOffset.UtcNow,
        Payload = JsonSerializer.SerializeToUtf8Bytes(new { eventId = EventId, seq, id = $"r{seq}", message, type = "other", createdAt = DateTimeOffset.UtcNow, createdBy = "f" }),
    };

    /// <summary>Stores the entries as the bus would: the store hands out seq 1, 2, … and each entry is the one with that seq.</summary>
    private static Task StoreAsync(IFeedStore feed, params FeedEntry[] entries) =>
        feed.AppendAsync([.. entries.Select(e => new FeedDraft(e.EventId, e.Type, new { }))], (_, seq) => entries.Single(e => e.Seq == seq), CancellationToken.None);

    private RealtimeMessage AsMessage(FeedEntry entry) => new(entry.EventId, entry.Seq, entry.Type, entry.At, new RawJson(entry.Payload));

    [Fact]
    public async Task AGapInSeq_IsFilledFromTheFeed_InOrder()
    {
        var hub = (ManualBus)Bus;
        var feed = Services.GetRequiredService<IFeedStore>();
        var widget = Render<ReportsPanel>(p => p.Add(c => c.EventId, EventId).Add(c => c.Notify, false));
        widget.WaitForAssertion(() => Assert.NotNull(hub.Handler));
        var entries = new[] { Report(1, "first"), Report(2, "second"), Report(3, "third") };
        await StoreAsync(feed, entries);

        // Only the last one reaches the widget: the first two were dropped on the way.
        await hub.Handler!(AsMessage(entries[2]));

        widget.WaitForAssertion(() => Assert.Equal(3, widget.FindAll("[data-testid=report-item]").Count));
        Assert.Equal(["third", "second", "first"], widget.FindAll("[data-testid=report-item] .alert-message").Select(e => e.TextContent));
    }

    [Fact]
    public async Task ADuplicateOrOldMessage_IsIgnored()
    {
        var hub = (ManualBus)Bus;
        var feed = Services.GetRequiredService<IFeedStore>();
        var widget = Render<ReportsPanel>(p => p.Add(c => c.EventId, EventId).Add(c => c.Notify, false));
        widget.WaitForAssertion(() => Assert.NotNull(hub.Handler));
        var first = Report(1, "only once");
        await StoreAsync(feed, first);

        await hub.Handler!(AsMessage(first));
        await hub.Handler!(AsMessage(first));

        widget.WaitForAssertion(() => Assert.Single(widget.FindAll("[data-testid=report-item]")));
    }

    [Fact]
    public async Task AMessageOfAnotherType_IsFollowed_ButDoesNotRenderTheWidget()
    {
        var hub = (ManualBus)Bus;
        var widget = Render<CountingWidget>(p => p.Add(c => c.EventId, EventId));
        // The start's last render follows OnParametersSet in the same dispatcher turn; the empty turn after it lets it end.
        widget.WaitForState(() => widget.Instance.ParametersSet && hub.Handler is not null);
        await widget.InvokeAsync(() => { });
        var rendersBefore = widget.Instance.Renders;
        var action = new FeedEntry
        {
            EventId = EventId, Seq = 1, Type = MessageTypes.ActionCreated, At = DateTimeOffset.UtcNow,
            Payload = JsonSerializer.SerializeToUtf8Bytes(new { eventId = EventId, seq = 1, id = "a1", command = "open_gate" }),
        };

        // Each render is a batch sent over the circuit: a widget of reports has nothing to redraw for an action.
        await hub.Handler!(AsMessage(action));
        await widget.InvokeAsync(() => { });
        Assert.Equal(rendersBefore, widget.Instance.Renders);

        // The action's seq was followed all the same: the next report is no gap (a catch-up would reload), and it
        // renders once.
        await hub.Handler!(AsMessage(Report(2, "after the action")));
        await widget.InvokeAsync(() => { });
        Assert.Equal((Applied: 1, Loads: 1, Renders: rendersBefore + 1), (widget.Instance.Applied, widget.Instance.Loads, widget.Instance.Renders));
    }

    /// <summary>A widget of reports that counts its own renders: a real panel's child components render on their own.</summary>
    private sealed class CountingWidget : LiveComponentBase
    {
        private static readonly IReadOnlySet<string> Shown = new HashSet<string> { MessageTypes.ReportNew };

        public int Renders { get; private set; }
        public int Applied { get; private set; }
        public int Loads { get; private set; }
        public bool ParametersSet { get; private set; }

        protected override IReadOnlySet<string> Types => Shown;

        protected override Task LoadAsync()
        {
            Loads++;
            return Task.CompletedTask;
        }

        protected override void Apply(RealtimeMessage message, bool live) => Applied++;

        protected override void OnParametersSet() => ParametersSet = true;

        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            Renders++;
            builder.AddContent(0, Applied);
        }
    }
}
