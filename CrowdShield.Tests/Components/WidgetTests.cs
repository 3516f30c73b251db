using Bunit;
using CrowdShield.Core.Actions;
using CrowdShield.Core.Alerts;
using CrowdShield.Core.Events;
using CrowdShield.Core.Intelligence;
using CrowdShield.Core.Map;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Reports;
using CrowdShield.Web.Components.Live;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdShield.Tests.Components;

public sealed class AlertsPanelTests : WidgetTestContext
{
    private static AlertNewPayload NewAlert(string id, string severity = "warning") =>
        new(id, AlertTypes.Overcrowding, $"Gate 3: 40 people ({id})", severity, "gate-3", DateTimeOffset.UtcNow);

    [Fact]
    public async Task Renders_TheActiveAlerts_WithCriticalMarked()
    {
        await InDbAsync(db =>
        {
            db.Alerts.Add(new Alert { Id = "a1", EventId = EventId, ZoneId = "gate-3", Type = AlertTypes.Overcrowding, Message = "Gate 3: 50 people", Severity = "critical", CreatedAt = DateTimeOffset.UtcNow });
            db.Alerts.Add(new Alert { Id = "a2", EventId = EventId, ZoneId = "stage", Type = AlertTypes.Overcrowding, Message = "old", Severity = "warning", Status = AlertStatus.Resolved, CreatedAt = DateTimeOffset.UtcNow });
            return db.SaveChangesAsync();
        });

        var panel = Render<AlertsPanel>(p => p.Add(c => c.EventId, EventId));

        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("[data-testid=alert-item]")));
        Assert.Equal("a1", panel.Find("[data-testid=alert-item]").GetAttribute("data-alert-id"));
        Assert.Contains("CRITICAL", panel.Find("[data-testid=alert-item]").TextContent);
    }

    [Fact]
    public async Task Alerts_AreListedNewestFirst_AndANewOneGoesOnTop()
    {
        var now = DateTimeOffset.UtcNow;
        await InDbAsync(db =>
        {
            db.Alerts.Add(new Alert { Id = "old", EventId = EventId, ZoneId = "gate-3", Type = AlertTypes.Overcrowding, Message = "m", Severity = "critical", CreatedAt = now.AddMinutes(-10) });
            db.Alerts.Add(new Alert { Id = "mid", EventId = EventId, ZoneId = "stage", Type = AlertTypes.Overcrowding, Message = "m", Severity = "warning", CreatedAt = now.AddMinutes(-5) });
            return db.SaveChangesAsync();
        });
        var panel = Render<AlertsPanel>(p => p.Add(c => c.EventId, EventId));
        panel.WaitForAssertion(() => Assert.Equal(["mid", "old"], panel.FindAll("[data-testid=alert-item]").Select(a => a.GetAttribute("data-alert-id"))));

        await PublishAsync(MessageTypes.AlertNew, new AlertNewPayload("new", AlertTypes.Overcrowding, "m", "warning", "gate-3", now));

        panel.WaitForAssertion(() => Assert.Equal(["new", "mid", "old"], panel.FindAll("[data-testid=alert-item]").Select(a => a.GetAttribute("data-alert-id"))));
    }

    [Fact]
    public async Task ReactsToHubMessages_NewThenResolved()
    {
        var panel = Render<AlertsPanel>(p => p.Add(c => c.EventId, EventId));
        panel.WaitForAssertion(() => Assert.Equal(1, Subscribers));

        await PublishAsync(MessageTypes.AlertNew, NewAlert("n1"));
        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("[data-alert-id=n1]")));
        // Announced to screen readers, once, from a live region outside the list.
        var announcer = panel.Find("[data-testid=alert-announcer]");
        Assert.Equal("assertive", announcer.GetAttribute("aria-live"));
        Assert.Equal("New alert. Gate 3: 40 people (n1)", announcer.TextContent);
        await PublishAsync(MessageTypes.AlertUpdated, new AlertUpdatedPayload("n1", AlertStatus.Resolved, "warning", "m", DateTimeOffset.UtcNow, null, null));

        panel.WaitForAssertion(() => Assert.Empty(panel.FindAll("[data-alert-id=n1]")));
    }

    [Fact]
    public async Task ResolveButton_ResolvesTheAlert_AsTheSignedInOperator()
    {
        await InDbAsync(db =>
        {
            db.Alerts.Add(new Alert { Id = "a1", EventId = EventId, ZoneId = "gate-3", Type = AlertTypes.Overcrowding, Message = "m", Severity = "warning", CreatedAt = DateTimeOffset.UtcNow });
            return db.SaveChangesAsync();
        });
        var panel = Render<AlertsPanel>(p => p.Add(c => c.EventId, EventId));
        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("[data-testid=alert-resolve]")));

        await panel.Find("[data-testid=alert-resolve]").ClickAsync(new());

        var alert = await InDbAsync(db => db.Alerts.SingleAsync());
        Assert.Equal((AlertStatus.Resolved, "op@tests.local"), (alert.Status, alert.ResolvedBy));
        panel.WaitForAssertion(() => Assert.Empty(panel.FindAll("[data-testid=alert-item]")));
    }

    [Fact]
    public async Task ReadOnly_ShowsTheAlert_WithNothingToPressOrType()
    {
        await InDbAsync(db =>
        {
            db.Alerts.Add(new Alert { Id = "a1", EventId = EventId, ZoneId = "gate-3", Type = AlertTypes.Overcrowding, Message = "Gate 3: 50 people", Severity = "critical", CreatedAt = DateTimeOffset.UtcNow });
            return db.SaveChangesAsync();
        });
        var readOnly = Render<AlertsPanel>(p => p.Add(c => c.EventId, EventId).Add(c => c.ReadOnly, true));
        var operating = Render<AlertsPanel>(p => p.Add(c => c.EventId, EventId));

        readOnly.WaitForAssertion(() => Assert.Single(readOnly.FindAll("[data-testid=alert-item]")));
        operating.WaitForAssertion(() => Assert.NotEmpty(operating.FindAll("[data-testid=alert-item] button")));
        Assert.Empty(readOnly.FindAll("button"));
        Assert.Empty(readOnly.FindAll("input"));
    }

    [Fact]
    public async Task AnAlertUpdate_BringsItsForecastEscalationAssigneeAndComments()
    {
        var panel = Render<AlertsPanel>(p => p.Add(c => c.EventId, EventId));
        panel.WaitForAssertion(() => Assert.Equal(1, Subscribers));
        var expected = DateTimeOffset.UtcNow.AddMinutes(12);

        await PublishAsync(MessageTypes.AlertNew, new AlertNewPayload("f1", AlertTypes.Forecast, "Gate 3: forecast", "warning", "gate-3", DateTimeOffset.UtcNow)
        {
            ExpectedAt = expected, Forecast = new ForecastView(34, 29, 40),
        });
        panel.WaitForAssertion(() => Assert.Contains("29–40", panel.Find("[data-alert-id=f1] [data-testid=alert-forecast]").TextContent));
        Assert.Equal(AlertTypes.Forecast, panel.Find("[data-alert-id=f1]").GetAttribute("data-type"));

        await PublishAsync(MessageTypes.AlertUpdated, new AlertUpdatedPayload("f1", AlertStatus.Open, "critical", "Gate 3: 48 people", null, null, null)
        {
            Type = AlertTypes.Overcrowding, EscalationLevel = 2, EscalatedAt = DateTimeOffset.UtcNow, Assignee = new AssigneeView("u1", "Sam Steward"),
            Comments = [new CommentView("c1", "Barrier holding", "op@tests.local", DateTimeOffset.UtcNow)],
        });

        panel.WaitForAssertion(() => Assert.Contains("×2", panel.Find("[data-alert-id=f1] [data-testid=alert-escalated]").TextContent));
        var item = panel.Find("[data-alert-id=f1]");
        Assert.Equal((AlertTypes.Overcrowding, "critical"), (item.GetAttribute("data-type"), item.GetAttribute("data-severity")));
        Assert.Empty(panel.FindAll("[data-alert-id=f1] [data-testid=alert-forecast]"));
        Assert.Contains("Sam Steward", panel.Find("[data-alert-id=f1] [data-testid=alert-assignee]").TextContent);
        Assert.Contains("Barrier holding", panel.Find("[data-alert-id=f1] [data-testid=alert-comment]").TextContent);
    }

    [Fact]
    public async Task AComment_IsStored_AndTheBoxEmpties()
    {
        await InDbAsync(db =>
        {
            db.Alerts.Add(new Alert { Id = "a1", EventId = EventId, ZoneId = "gate-3", Type = AlertTypes.Overcrowding, Message = "m", Severity = "warning", CreatedAt = DateTimeOffset.UtcNow });
            return db.SaveChangesAsync();
        });
        var panel = Render<AlertsPanel>(p => p.Add(c => c.EventId, EventId));
        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("[data-testid=alert-comment-input]")));

        await panel.Find("[data-testid=alert-comment-input]").InputAsync(new ChangeEventArgs { Value = "  Two stewards sent  " });
        await panel.Find("form.alert-comment-form").SubmitAsync();

        var comment = await InDbAsync(db => db.AlertComments.SingleAsync());
        Assert.Equal(("Two stewards sent", "op@tests.local"), (comment.Text, comment.Author));
        panel.WaitForAssertion(() => Assert.Equal("", panel.Find("[data-testid=alert-comment-input]").GetAttribute("value")));
    }
}

public sealed class ActionsPanelTests : WidgetTestContext
{
    [Fact]
    public async Task Renders_TheHistory_AndReactsToActionCreated()
    {
        await InDbAsync(db =>
        {
            db.Actions.Add(new OperatorAction { Id = "x1", EventId = EventId, Command = "close_gate", ZoneId = "gate-3", CreatedBy = "someone", CreatedAt = DateTimeOffset.UtcNow });
            return db.SaveChangesAsync();
        });
        var panel = Render<ActionsPanel>(p => p.Add(c => c.EventId, EventId));
        panel.WaitForAssertion(() => Assert.Contains("Close gate", panel.Find("[data-testid=action-item]").TextContent));

        await PublishAsync(MessageTypes.ActionCreated, new ActionCreatedPayload("x2", "dispatch_staff", "stage", "two stewards", "other@tests.local", DateTimeOffset.UtcNow));

        panel.WaitForAssertion(() => Assert.Equal(2, panel.FindAll("[data-testid=action-item]").Count));
        Assert.Contains("Dispatch staff", panel.FindAll("[data-testid=action-item]")[0].TextContent);
        Assert.Contains("Main stage", panel.FindAll("[data-testid=action-item]")[0].TextContent);
    }

    [Fact]
    public async Task Command_NeedsConfirmation_ThenIsRecordedAndShown()
    {
        var panel = Render<ActionsPanel>(p => p.Add(c => c.EventId, EventId));
        panel.WaitForAssertion(() => Assert.NotEmpty(panel.FindAll("[data-testid=action-open_gate]")));

        await panel.Find("[data-testid=action-open_gate]").ClickAsync(new());
        Assert.Empty(await InDbAsync(db => db.Actions.ToListAsync()));
        await panel.Find("[data-testid=action-zone]").ChangeAsync(new ChangeEventArgs { Value = "gate-3" });
        await panel.Find("[data-testid=action-confirm]").ClickAsync(new());

        var action = Assert.Single(await InDbAsync(db => db.Actions.ToListAsync()));
        Assert.Equal(("open_gate", "gate-3", "op@tests.local"), (action.Command, action.ZoneId, action.CreatedBy));
        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("[data-testid=action-item]")));
    }

    [Fact]
    public async Task Cancel_RecordsNothing()
    {
        var panel = Render<ActionsPanel>(p => p.Add(c => c.EventId, EventId));
        panel.WaitForAssertion(() => Assert.NotEmpty(panel.FindAll("[data-testid=action-announcement]")));

        await panel.Find("[data-testid=action-announcement]").ClickAsync(new());
        await panel.Find("[data-testid=action-cancel]").ClickAsync(new());

        Assert.Empty(await InDbAsync(db => db.Actions.ToListAsync()));
        Assert.NotEmpty(panel.FindAll("[data-testid=action-announcement]"));
    }
}

public sealed class ReportsFeedTests : WidgetTestContext
{
    [Fact]
    public async Task Renders_TheReports_AndReactsToReportNew()
    {
        await Services.GetRequiredService<ReportService>().CreateAsync(new ReportRequest(EventId, "Lost child at gate 2", "lost_person", null, null, "gate-3"),
            new CrowdShield.Core.Users.Caller("f", "field@tests.local", "F", "field", new HashSet<string> { EventId }));
        var feed = Render<ReportsPanel>(p => p.Add(c => c.EventId, EventId));
        feed.WaitForAssertion(() => Assert.Single(feed.FindAll("[data-testid=report-item]")));

        await PublishAsync(MessageTypes.ReportNew, new ReportNewPayload("r2", "Smoke behind the bar", "fire", DateTimeOffset.UtcNow, null, null, "stage", "f@tests.local"));

        feed.WaitForAssertion(() => Assert.Equal(2, feed.FindAll("[data-testid=report-item]").Count));
        Assert.Contains("Smoke behind the bar", feed.FindAll("[data-testid=report-item]")[0].TextContent);
    }
}

public sealed class AiWidgetTests : WidgetTestContext
{
    [Fact]
    public async Task Renders_TheComputedRisk_ThenFollowsInsightAndPredictionUpdates()
    {
        var widget = Render<AiWidget>(p => p.Add(c => c.EventId, EventId));
        widget.WaitForAssertion(() => Assert.Equal("0", widget.Find("[data-testid=risk-score]").TextContent));
        Assert.Equal("model: builtin", widget.Find("[data-testid=ml-status]").TextContent.Trim());

        await PublishAsync(MessageTypes.InsightUpdate, new InsightUpdatePayload(83, "Hold the inflow at Gate 3 now.", 0.9,
            [new RiskFactor("zone_load", 45, 1, "Gate 3: 60 people")], MlStatus.Builtin, DateTimeOffset.UtcNow));
        await PublishAsync(MessageTypes.PredictionUpdate, new PredictionUpdatePayload(15,
            [new ZonePrediction("gate-3", 72, 0.072, 100, DensityBands.Critical, "trend")], DateTimeOffset.UtcNow));

        // Two messages, two renders: wait for the second before reading what the first brought.
        widget.WaitForAssertion(() => Assert.Contains("72", widget.Find("[data-zone-id=gate-3]").TextContent));
        Assert.Equal("83", widget.Find("[data-testid=risk-score]").TextContent);
        Assert.Equal("Hold the inflow at Gate 3 now.", widget.Find("[data-testid=recommendation]").TextContent);
    }
}

public sealed class VenueMapTests : WidgetTestContext
{
    [Fact]
    public async Task Legend_ShowsZoneCounts_AndFollowsMapUpdates_ThroughTheMapModule()
    {
        var module = JSInterop.SetupModule("./js/venueMap.js");
        var map = Render<VenueMap>(p => p.Add(c => c.EventId, EventId));
        map.WaitForAssertion(() => Assert.Equal("0", map.Find("[data-zone-id=gate-3]").GetAttribute("data-count")));

        await PublishAsync(MessageTypes.MapUpdate, new MapUpdatePayload([new MapPoint(51.5001, -0.0998, 5, "p1", DateTimeOffset.UtcNow)], [],
            [new ZoneDensity("gate-3", 77, 0.077, DensityBands.Critical)], DateTimeOffset.UtcNow, "cctv"));

        map.WaitForAssertion(() =>
        {
            Assert.Equal("77", map.Find("[data-zone-id=gate-3]").GetAttribute("data-count"));
            Assert.Equal("critical", map.Find("[data-zone-id=gate-3]").GetAttribute("data-level"));
        }, TimeSpan.FromSeconds(3));
        Assert.Contains(module.Invocations, i => i.Identifier == "create");
    }

    [Fact]
    public async Task VenueUpdated_RedrawsTheMapAndLegend_AndOtherPanelsUseTheNewZoneNames_WithoutAReload()
    {
        var module = JSInterop.SetupModule("./js/venueMap.js");
        var map = Render<VenueMap>(p => p.Add(c => c.EventId, EventId));
        var alerts = Render<AlertsPanel>(p => p.Add(c => c.EventId, EventId).Add(c => c.Toasts, false));
        map.WaitForAssertion(() => Assert.NotNull(map.Find("[data-zone-id=gate-3]")));
        await PublishAsync(MessageTypes.AlertNew, new AlertNewPayload("a1", "overcrowding", "busy", "warning", "gate-3", DateTimeOffset.UtcNow));
        alerts.WaitForAssertion(() => Assert.Contains("Gate 3", alerts.Find("[data-testid=alert-item] .alert-zone").TextContent));

        await PublishAsync(MessageTypes.VenueUpdated, new VenueUpdatedPayload(
            [
                new ZonePayload("gate-3", "North entrance", [new(51.5, -0.1), new(51.5003, -0.1), new(51.5003, -0.0995)], 500, 100, 30, null),
                new ZonePayload("pit", "Front pit", [new(51.5001, -0.0999), new(51.5002, -0.0999), new(51.5002, -0.0997)], 100, null, 40, null),
            ], "Riverside Festival", "Europe/London", 5000));

        map.WaitForAssertion(() =>
        {
            Assert.Equal(["gate-3", "pit"], map.FindAll(".legend-zone").Select(z => z.GetAttribute("data-zone-id")));
            Assert.Contains("Front pit", map.Find("[data-zone-id=pit]").TextContent);
        }, TimeSpan.FromSeconds(3));
        alerts.WaitForAssertion(() => Assert.Contains("North entrance", alerts.Find("[data-testid=alert-item] .alert-zone").TextContent));
        map.WaitForAssertion(() => Assert.Contains(module.Invocations, i => i.Identifier == "update"
            && System.Text.Json.JsonSerializer.SerializeToElement(i.Arguments[0], System.Text.Json.JsonSerializerOptions.Web).GetProperty("replaceZones").ValueKind
                == System.Text.Json.JsonValueKind.Array));
    }

    [Fact]
    public void ConfiguredVenuePlan_IsPassedToTheMap()
    {
        Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MapUiOptions>>().Value.Plans[EventId] =
            new VenuePlan { ImageUrl = "plans/fest.png", South = 51.49, West = -0.11, North = 51.51, East = -0.09 };
        var module = JSInterop.SetupModule("./js/venueMap.js");

        Render<VenueMap>(p => p.Add(c => c.EventId, EventId));

        var create = module.VerifyInvoke("create");
        var options = System.Text.Json.JsonSerializer.SerializeToElement(create.Arguments[1], System.Text.Json.JsonSerializerOptions.Web);
        Assert.Equal("plans/fest.png", options.GetProperty("plan").GetProperty("imageUrl").GetString());
    }
}

public sealed class ZoneChartTests : WidgetTestContext
{
    [Fact]
    public async Task ChartsCounts_AsMapUpdatesArrive()
    {
        var chart = Render<ZoneChart>(p => p.Add(c => c.EventId, EventId));
        chart.WaitForAssertion(() => Assert.Contains("Counts will be charted", chart.Markup));

        var now = DateTimeOffset.UtcNow;
        await PublishAsync(MessageTypes.MapUpdate, new MapUpdatePayload([], [], [new ZoneDensity("gate-3", 20, 0.02, "low")], now.AddMinutes(-2), "cctv"));
        await PublishAsync(MessageTypes.MapUpdate, new MapUpdatePayload([], [], [new ZoneDensity("gate-3", 35, 0.035, "high")], now, "cctv"));

        chart.WaitForAssertion(() => Assert.DoesNotContain("Counts will be charted", chart.Markup), TimeSpan.FromSeconds(5));
        Assert.NotEmpty(chart.FindAll("svg"));
    }
}

/// <summary>Every widget ends its message bus subscription when it goes away.</summary>
public sealed class WidgetDisposalTests : WidgetTestContext
{
    public static TheoryData<Type> Widgets => [typeof(AlertsPanel), typeof(ActionsPanel), typeof(ReportsPanel), typeof(AiWidget), typeof(VenueMap), typeof(ZoneChart), typeof(LiveIndicator)];

    [Theory]
    [MemberData(nameof(Widgets))]
    public async Task Dispose_EndsTheSubscription(Type widget)
    {
        JSInterop.SetupModule("./js/venueMap.js");
        var rendered = Render(builder =>
        {
            builder.OpenComponent(0, widget);
            builder.AddAttribute(1, nameof(LiveComponentBase.EventId), EventId);
            builder.CloseComponent();
        });
        rendered.WaitForAssertion(() => Assert.Equal(1, Subscribers));

        await DisposeComponentsAsync();

        Assert.Equal(0, Subscribers);
    }
}

public sealed class LiveIndicatorTests : WidgetTestContext
{
    [Fact]
    public async Task EveryMessageOfTheEvent_FlashesIt_AndShowsTheLatestSeq()
    {
        var indicator = Render<LiveIndicator>(p => p.Add(c => c.EventId, EventId));
        indicator.WaitForAssertion(() => Assert.Equal(1, Subscribers));
        Assert.Equal("0", indicator.Find("[data-testid=live-indicator]").GetAttribute("data-last-seq"));
        var before = indicator.Find(".live-dot").ClassName;

        var first = await Bus.PublishAsync(EventId, MessageTypes.ReportNew, new ReportNewPayload("r1", "m", "other", DateTimeOffset.UtcNow, null, null, null, "field@tests.local"));

        indicator.WaitForAssertion(() => Assert.Equal(first.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
            indicator.Find("[data-testid=live-indicator]").GetAttribute("data-last-seq")));
        Assert.NotEqual(before, indicator.Find(".live-dot").ClassName);

        var second = await Bus.PublishAsync(EventId, MessageTypes.ActionCreated, new ActionCreatedPayload("a1", "open_gate", null, null, "op@tests.local", DateTimeOffset.UtcNow));
        indicator.WaitForAssertion(() => Assert.Equal(second.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
            indicator.Find("[data-testid=live-indicator]").GetAttribute("data-last-seq")));
    }
}
