using System.Buffers;
using System.Text.Json;

namespace CrowdShield.Core.Realtime;

/// <summary>
/// One message of an event's real-time stream, after the message bus gave it its <see cref="Seq"/>.
/// <see cref="Json"/> is the exact wire form (payload plus eventId and seq), serialized once and shared by
/// SignalR, the feed and in-process subscribers.
/// </summary>
public sealed record RealtimeMessage(string EventId, long Seq, string Type, DateTimeOffset At, RawJson Json)
{
    private JsonElement? _data;

    /// <summary>The typed payload when the message was published in this process; null when read back from the feed.</summary>
    public object? Payload { get; init; }

    /// <summary>The wire form as a JSON element, parsed on first use.</summary>
    public JsonElement Data => _data ??= Json.Parse().RootElement;

    /// <summary>The payload as <typeparamref name="T"/>, without deserializing when it was published here.</summary>
    public T Read<T>() where T : class =>
        Payload as T ?? JsonSerializer.Deserialize<T>(Json.Utf8.Span, RealtimeJson.Options)
        ?? throw new InvalidOperationException($"Message {Type} #{Seq} is not a {typeof(T).Name}.");
}

public static class RealtimeJson
{
    /// <summary>camelCase, as the contract and the seed's clients expect.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The wire form of a message: <c>{"eventId":…,"seq":…,</c> followed by the payload's own properties.
    /// Payload records never declare eventId or seq themselves (a test holds them to that). The scratch buffer
    /// is the caller's, so the only allocation is the exact-size result.
    /// </summary>
    public static RawJson Compose(string eventId, long seq, object payload, ArrayBufferWriter<byte> scratch)
    {
        scratch.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(scratch))
        {
            writer.WriteStartObject();
            writer.WriteString("eventId", eventId);
            writer.WriteNumber("seq", seq);
            writer.WriteEndObject();
        }
        var head = scratch.WrittenCount - 1; // without the closing brace
        using (var writer = new Utf8JsonWriter(scratch))
        {
            JsonSerializer.Serialize(writer, payload, payload.GetType(), Options);
        }
        var written = scratch.WrittenSpan;
        var body = written[(head + 1)..];
        if (body.Length < 2 || body[0] != (byte)'{')
        {
            throw new ArgumentException("A real-time payload must serialize to a JSON object.", nameof(payload));
        }
        var empty = body.Length == 2;
        var result = new byte[head + (empty ? 0 : 1) + body.Length - 1];
        written[..head].CopyTo(result);
        var at = head;
        if (!empty)
        {
            result[at++] = (byte)',';
        }
        body[1..].CopyTo(result.AsSpan(at));
        return new RawJson(result);
    }
}
