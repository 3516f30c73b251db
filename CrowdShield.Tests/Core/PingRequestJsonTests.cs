using System.Text.Json;
using CrowdShield.Core.Map;

namespace CrowdShield.Tests.Core;

/// <summary>
/// How a device's body becomes pings, with the API's JSON settings (web defaults). A batch's pings are read through
/// their settable properties rather than the positional constructor (the faster reader for up to 1,000 of them): every
/// field must still arrive, and a missing one must stay missing so that validation names it.
/// </summary>
public sealed class PingRequestJsonTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task EveryFieldOfABatchedPing_IsRead_AndAMissingOneStaysNull()
    {
        const string body = """
            {"eventId":"fest","pings":[
              {"lat":51.5,"lng":-0.1,"accuracy":4.5,"deviceId":"phone-1","recordedAt":"2026-07-04T18:00:00.123Z"},
              {"lng":-0.2},
              null
            ]}
            """;

        var request = await JsonSerializer.DeserializeAsync<PingRequest>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)), Web);

        Assert.NotNull(request);
        Assert.Equal("fest", request.EventId);
        Assert.Equal(3, request.Pings!.Count);
        Assert.Equal(new PingInput(51.5, -0.1, 4.5, "phone-1", new DateTimeOffset(2026, 7, 4, 18, 0, 0, 123, TimeSpan.Zero)), request.Pings[0]);
        Assert.Equal(new PingInput(null, -0.2, null, null, null), request.Pings[1]);
        Assert.Null(request.Pings[2]);

        var errors = new CrowdShield.Core.Validation.ValidationErrors();
        request.Validate(errors, DateTimeOffset.UtcNow);
        Assert.Equal(["pings[1].lat", "pings[2]"], errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
    }
}
