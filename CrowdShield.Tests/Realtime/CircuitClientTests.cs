using System.Collections.Concurrent;
using System.Net;
using System.Text;
using CrowdShield.Benchmarks;
using CrowdShield.Tests.Infrastructure;

namespace CrowdShield.Tests.Realtime;

/// <summary>
/// The benchmark's browserless dashboard (bench/CrowdShield.Benchmarks/CircuitClient.cs) against the real app: it must
/// sign in, hold a live command-center circuit and see a report arrive, or the 200-dashboard figures mean nothing.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class CircuitClientTests(AppFixture app)
{
    [Fact]
    public async Task A_report_reaches_a_command_center_circuit_opened_without_a_browser()
    {
        using var api = app.Api();
        var admin = await api.AdminTokenAsync();
        var eventId = await api.CreateEventAsync(admin);
        var operatorUser = await api.CreateUserAsync(admin, "operator", eventId);
        var field = await api.CreateUserAsync(admin, "field", eventId);
        var (http, cookies) = CookieClient();
        using var _ = http;
        await CircuitClient.SignInAsync(http, cookies, operatorUser.Email, operatorUser.Password);

        var seen = new ConcurrentBag<string>();
        await using var dashboard = await CircuitClient.OpenAsync(http, cookies, $"/events/{eventId}", (_, batch) =>
        {
            foreach (var text in CircuitClient.WholeStrings(batch.Span, "circuit check "u8))
            {
                seen.Add(text);
            }
        });
        Assert.True(dashboard.Batches >= 1);

        await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", field.Token, new { eventId, type = "other", message = "circuit check 42" }, HttpStatusCode.Created);

        await Eventually.TrueAsync(() => seen.Contains("circuit check 42"), because: "the report should reach the open dashboard's circuit");
        Assert.Null(dashboard.Error);
    }

    [Fact]
    public async Task Signing_in_with_a_wrong_password_is_refused()
    {
        using var api = app.Api();
        var admin = await api.AdminTokenAsync();
        var eventId = await api.CreateEventAsync(admin);
        var operatorUser = await api.CreateUserAsync(admin, "operator", eventId);
        var (http, cookies) = CookieClient();
        using var _ = http;

        await Assert.ThrowsAsync<InvalidOperationException>(() => CircuitClient.SignInAsync(http, cookies, operatorUser.Email, "not-the-password"));
    }

    /// <summary>A client that keeps cookies and does not follow redirects, as CircuitClient expects of a signed-in tab.</summary>
    private (HttpClient Http, CookieContainer Cookies) CookieClient()
    {
        var cookies = new CookieContainer();
        return (new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = app.BaseAddress }, cookies);
    }

    [Fact]
    public void Only_whole_length_prefixed_strings_are_read_from_a_render_batch()
    {
        // A render batch's string table: each string behind its length. "ui-bench 0" is followed by a 50-character
        // string whose length byte (0x32) reads as the digit '2'; a longer text merely contains the prefix.
        var batch = new List<byte>();
        void Add(string text)
        {
            batch.Add((byte)Encoding.UTF8.GetByteCount(text));
            batch.AddRange(Encoding.UTF8.GetBytes(text));
        }
        Add("ui-bench 0");
        Add(new string('f', 50));
        Add("New other report: ui-bench 7");
        Add("ui-bench ");
        Add("ui-bench 12");

        var found = CircuitClient.WholeStrings(batch.ToArray(), "ui-bench "u8);

        Assert.Equal(["ui-bench 0", "ui-bench 12"], found);
    }
}
