using Bunit;
using System.Text.Json;
using CrowdShield.Core.Realtime;
using CrowdShield.Web.Components.Live;
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
        var widget = Render<ReportsPanel>(p => p.Add(c => c.EventId, EventId).Add(c => c.Notify, false));
        widget.WaitForAssertion(() => Assert.NotNull(hub.Handler));
        // A first report, so that the widget has loaded and drawn everything of its start before counting.
        await hub.Handler!(AsMessage(Report(1, "before the action")));
        widget.WaitForAssertion(() => Assert.Single(widget.FindAll("[data-testid=report-item]")));
        await widget.InvokeAsync(() => { });
        var rendersBefore = widget.RenderCount;
        var action = new FeedEntry
        {
            EventId = EventId, Seq = 2, Type = MessageTypes.ActionCreated, At = DateTimeOffset.UtcNow,
            Payload = JsonSerializer.SerializeToUtf8Bytes(new { eventId = EventId, seq = 2, id = "a1", command = "open_gate" }),
        };

        // Each render is a batch sent over the circuit: a reports panel has nothing to redraw for an action.
        await hub.Handler!(AsMessage(action));
        await widget.InvokeAsync(() => { });
        Assert.Equal(rendersBefore, widget.RenderCount);

        // The action's seq was followed all the same: the next report is no gap (no catch-up), and it renders.
        await hub.Handler!(AsMessage(Report(3, "after the action")));
        widget.WaitForAssertion(() => Assert.Equal(2, widget.FindAll("[data-testid=report-item]").Count));
        Assert.True(widget.RenderCount > rendersBefore);
    }
}
