using System.Diagnostics;
using System.Net;
using System.Text;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;

namespace CrowdShield.Tests.Api;

/// <summary>Comments, assignees and "on it" on the way to the shift log, and the log's CSV and PDF exports.</summary>
[Collection(AppCollection.Name)]
public sealed class ShiftLogTests(AppFixture app)
{
    private static async Task<string> RaiseAsync(ApiClient api, Scenario s, int count, string zoneId = "gate-3") =>
        (await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device), new { eventId = s.EventId, cameraId = $"cam-{zoneId}", zoneId, count },
            HttpStatusCode.Accepted)).GetProperty("alertId").GetString()!;

    [Fact]
    public async Task Comment_IsStored_ListedWithTheAlert_AndBroadcastInAlertUpdated()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        await using var hub = await HubRecorder.ConnectAsync(app.BaseAddress, s.EventId, s.TokenOf(Roles.Viewer));
        var alertId = await RaiseAsync(api, s, 40);

        var comment = await api.JsonAsync(HttpMethod.Post, $"/api/v1/alerts/{alertId}/comments", s.TokenOf(Roles.Operator),
            new { text = "  Two stewards sent to Gate 3  " }, HttpStatusCode.Created);

        Assert.Equal("Two stewards sent to Gate 3", comment.GetProperty("text").GetString());
        Assert.Equal(s.Users[Roles.Operator].Email, comment.GetProperty("author").GetString());
        Assert.True(comment.TryGetProperty("id", out _) && comment.TryGetProperty("at", out _));
        var listed = (await api.JsonAsync(HttpMethod.Get, $"/api/v1/alerts?eventId={s.EventId}", s.TokenOf(Roles.Viewer))).EnumerateArray().Single();
        Assert.Equal("Two stewards sent to Gate 3", Assert.Single(listed.GetProperty("comments").EnumerateArray()).GetProperty("text").GetString());
        var received = await hub.WaitForAsync(r => r.Any(x => x.Method == MessageTypes.AlertUpdated));
        var update = received.First(x => x.Method == MessageTypes.AlertUpdated).Payload;
        Assert.Equal(alertId, update.GetProperty("id").GetString());
        Assert.Equal(comment.GetProperty("id").GetString(), Assert.Single(update.GetProperty("comments").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Comment_WithoutText_OrFromTheField_OrOnAnotherEventsAlert_IsRefused_AndNothingIsStored()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var other = await api.ScenarioAsync();
        var alertId = await RaiseAsync(api, s, 40);

        var empty = await api.JsonAsync(HttpMethod.Post, $"/api/v1/alerts/{alertId}/comments", s.TokenOf(Roles.Operator), new { text = "   " }, HttpStatusCode.BadRequest);
        Assert.True(empty.GetProperty("errors").TryGetProperty("text", out _));
        var tooLong = await api.JsonAsync(HttpMethod.Post, $"/api/v1/alerts/{alertId}/comments", s.TokenOf(Roles.Operator), new { text = new string('x', 2001) }, HttpStatusCode.BadRequest);
        Assert.True(tooLong.GetProperty("errors").TryGetProperty("text", out _));
        using (var field = await api.SendAsync(HttpMethod.Post, $"/api/v1/alerts/{alertId}/comments", s.TokenOf(Roles.Field), new { text = "hi" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, field.StatusCode);
        }
        using (var outsider = await api.SendAsync(HttpMethod.Post, $"/api/v1/alerts/{alertId}/comments", other.TokenOf(Roles.Operator), new { text = "hi" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, outsider.StatusCode);
        }
        var listed = (await api.JsonAsync(HttpMethod.Get, $"/api/v1/alerts?eventId={s.EventId}", s.AdminToken)).EnumerateArray().Single();
        Assert.Empty(listed.GetProperty("comments").EnumerateArray());
    }

    [Fact]
    public async Task Assign_GivesTheAlertToAMember_AndRefusesSomeoneWhoCannotSeeTheEvent()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var other = await api.ScenarioAsync();
        await using var hub = await HubRecorder.ConnectAsync(app.BaseAddress, s.EventId, s.TokenOf(Roles.Operator));
        var alertId = await RaiseAsync(api, s, 40);
        var steward = s.Users[Roles.Field];

        var assigned = await api.JsonAsync(HttpMethod.Post, $"/api/v1/alerts/{alertId}/assign", s.TokenOf(Roles.Operator), new { userId = steward.Id });

        Assert.Equal(steward.Id, assigned.GetProperty("assignee").GetProperty("id").GetString());
        Assert.Equal("Test field", assigned.GetProperty("assignee").GetProperty("name").GetString());
        var update = (await hub.WaitForAsync(r => r.Any(x => x.Method == MessageTypes.AlertUpdated))).First(x => x.Method == MessageTypes.AlertUpdated).Payload;
        Assert.Equal(steward.Id, update.GetProperty("assignee").GetProperty("id").GetString());

        var outsider = await api.JsonAsync(HttpMethod.Post, $"/api/v1/alerts/{alertId}/assign", s.TokenOf(Roles.Operator),
            new { userId = other.Users[Roles.Field].Id }, HttpStatusCode.BadRequest);
        Assert.True(outsider.GetProperty("errors").TryGetProperty("userId", out _));
        var device = await api.JsonAsync(HttpMethod.Post, $"/api/v1/alerts/{alertId}/assign", s.TokenOf(Roles.Operator),
            new { userId = s.Users[Roles.Device].Id }, HttpStatusCode.BadRequest);
        Assert.True(device.GetProperty("errors").TryGetProperty("userId", out _));
        var still = (await api.JsonAsync(HttpMethod.Get, $"/api/v1/alerts?eventId={s.EventId}", s.AdminToken)).EnumerateArray().Single();
        Assert.Equal(steward.Id, still.GetProperty("assignee").GetProperty("id").GetString());
    }

    [Fact]
    public async Task OnIt_RecordsTheStewardOnTheAction_BroadcastsIt_AndAudits()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        await using var hub = await HubRecorder.ConnectAsync(app.BaseAddress, s.EventId, s.TokenOf(Roles.Viewer));
        var action = await api.JsonAsync(HttpMethod.Post, "/api/v1/actions", s.TokenOf(Roles.Operator),
            new { eventId = s.EventId, command = "Open Gate 3", zoneId = "gate-3" }, HttpStatusCode.Created);
        var id = action.GetProperty("id").GetString();

        var taken = await api.JsonAsync(HttpMethod.Post, $"/api/v1/actions/{id}/take", s.TokenOf(Roles.Field));
        var again = await api.JsonAsync(HttpMethod.Post, $"/api/v1/actions/{id}/take", s.TokenOf(Roles.Operator));

        Assert.Equal("Test field", taken.GetProperty("takenBy").GetString());
        Assert.Equal("Test field", again.GetProperty("takenBy").GetString()); // the first to take it keeps it
        var created = (await hub.WaitForAsync(r => r.Count(x => x.Method == MessageTypes.ActionCreated) >= 2)).Where(x => x.Method == MessageTypes.ActionCreated).ToList();
        Assert.All(created, c => Assert.Equal(id, c.Payload.GetProperty("id").GetString()));
        Assert.Equal("Test field", created[^1].Payload.GetProperty("takenBy").GetString());
        using (var viewer = await api.SendAsync(HttpMethod.Post, $"/api/v1/actions/{id}/take", s.TokenOf(Roles.Viewer)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        }
        var audit = await api.JsonAsync(HttpMethod.Get, $"/api/v1/audit?eventId={s.EventId}&limit=1000", s.AdminToken);
        Assert.Single(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "action_taken");
    }

    /// <summary>An event with an alert (acknowledged, commented), an action and a report before <c>from</c>, and the same again after.</summary>
    private static async Task<(Scenario S, DateTimeOffset From, DateTimeOffset To)> EventfulShiftAsync(ApiClient api)
    {
        var s = await api.ScenarioAsync();
        var early = await RaiseAsync(api, s, 60, "stage");
        await api.JsonAsync(HttpMethod.Post, $"/api/v1/alerts/{early}/comments", s.TokenOf(Roles.Operator), new { text = "Before the shift" }, HttpStatusCode.Created);
        await api.JsonAsync(HttpMethod.Post, "/api/v1/actions", s.TokenOf(Roles.Operator), new { eventId = s.EventId, command = "Earlier action" }, HttpStatusCode.Created);
        await Task.Delay(1100);
        var from = DateTimeOffset.UtcNow;
        var alertId = await RaiseAsync(api, s, 40);
        await api.JsonAsync(HttpMethod.Post, $"/api/v1/alerts/{alertId}/acknowledge", s.TokenOf(Roles.Operator));
        await api.JsonAsync(HttpMethod.Post, $"/api/v1/alerts/{alertId}/comments", s.TokenOf(Roles.Operator), new { text = "=HYPERLINK(\"x\"), stewards on the way" }, HttpStatusCode.Created);
        await api.JsonAsync(HttpMethod.Post, "/api/v1/actions", s.TokenOf(Roles.Operator), new { eventId = s.EventId, command = "Open Gate 3", zoneId = "gate-3" }, HttpStatusCode.Created);
        await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field),
            new { eventId = s.EventId, message = "Queue building at Gate 3", type = "overcrowding", zoneId = "gate-3" }, HttpStatusCode.Created);
        await api.JsonAsync(HttpMethod.Post, $"/api/v1/alerts/{alertId}/resolve", s.TokenOf(Roles.Operator));
        return (s, from, DateTimeOffset.UtcNow.AddSeconds(1));
    }

    private static string Window(DateTimeOffset from, DateTimeOffset to) =>
        $"from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}";

    [Fact]
    public async Task CsvExport_HasARowForEverythingInTheWindow_AndNothingFromBeforeOrFromAnotherEvent()
    {
        using var api = app.Api();
        var (s, from, to) = await EventfulShiftAsync(api);
        var other = await api.ScenarioAsync();
        await RaiseAsync(api, other, 45);

        using var response = await api.SendAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/export?{Window(from, to)}&format=csv", s.TokenOf(Roles.Operator));
        var csv = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var rows = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("time_utc,time_venue,kind,zone_id,zone,who,severity,text,ref", rows[0]);
        var kinds = rows.Skip(1).Select(r => r.Split(',')[2]).ToList();
        Assert.Equal(["alert", "acknowledged", "comment", "action", "report", "resolved"], kinds);
        Assert.Contains(rows, r => r.Contains("Open Gate 3", StringComparison.Ordinal) && r.Contains(",gate-3,Gate 3,", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("Queue building at Gate 3", StringComparison.Ordinal) && r.Contains(s.Users[Roles.Field].Email, StringComparison.Ordinal));
        // A comment that looks like a formula is written so that a spreadsheet shows it as text.
        Assert.DoesNotContain(rows, r => r.Split(',').Any(cell => cell.TrimStart('"').StartsWith("=HYPERLINK", StringComparison.Ordinal)));
        Assert.DoesNotContain("Before the shift", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("Earlier action", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(other.EventId, csv, StringComparison.Ordinal);

        var audit = await api.JsonAsync(HttpMethod.Get, $"/api/v1/audit?eventId={s.EventId}&limit=1000", s.AdminToken);
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "exported");
    }

    [Fact]
    public async Task PdfExport_IsAShiftLogAReaderCanRead_WithTheZoneCountsChart()
    {
        using var api = app.Api();
        var (s, from, to) = await EventfulShiftAsync(api);

        using var response = await api.SendAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/export?{Window(from, to)}&format=pdf", s.TokenOf(Roles.Operator));
        var pdf = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("%PDF-", Encoding.ASCII.GetString(pdf, 0, 5));
        var text = await PdfTextAsync(pdf);
        Assert.Contains("Shift log", text, StringComparison.Ordinal);
        Assert.Contains("Test festival", text, StringComparison.Ordinal);
        Assert.Contains("Zone counts", text, StringComparison.Ordinal);
        Assert.Contains("Gate 3 (threshold 30)", text, StringComparison.Ordinal); // the chart's legend: the camera's counts were recorded
        Assert.Contains("Open Gate 3", text, StringComparison.Ordinal);
        Assert.Contains("Queue building at Gate 3", text, StringComparison.Ordinal);
        Assert.Contains("acknowledged", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Before the shift", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Earlier action", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Roles.Device)]
    [InlineData(Roles.Field)]
    [InlineData(Roles.Viewer)]
    public async Task Export_IsRefusedToRolesThatDoNotRunTheRoom(string role)
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();

        using var response = await api.SendAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/export?format=csv", s.TokenOf(role));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Export_IsRefusedToOperatorsOfAnotherEvent_AndBadWindowsNameTheirField()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var other = await api.ScenarioAsync();

        using (var outsider = await api.SendAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/export?format=pdf", other.TokenOf(Roles.Operator)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, outsider.StatusCode);
        }
        var now = DateTimeOffset.UtcNow;
        var reversed = await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/export?{Window(now, now.AddHours(-1))}", s.TokenOf(Roles.Operator),
            expect: HttpStatusCode.BadRequest);
        Assert.True(reversed.GetProperty("errors").TryGetProperty("to", out _));
        var format = await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/export?format=xlsx", s.TokenOf(Roles.Operator), expect: HttpStatusCode.BadRequest);
        Assert.True(format.GetProperty("errors").TryGetProperty("format", out _));
        var audit = await api.JsonAsync(HttpMethod.Get, $"/api/v1/audit?eventId={s.EventId}&limit=1000", s.AdminToken);
        Assert.DoesNotContain(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "exported");
    }

    /// <summary>The PDF's text as poppler's pdftotext reads it (what a reader, a search or a screen reader gets).</summary>
    private static async Task<string> PdfTextAsync(byte[] pdf)
    {
        var path = Path.Combine(Path.GetTempPath(), $"shift-log-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pdftotext", ["-layout", path, "-"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var text = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
            return text;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
