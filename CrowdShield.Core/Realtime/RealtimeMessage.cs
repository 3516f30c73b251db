using System.Text.Json;

namespace CrowdShield.Core.Realtime;

/// <summary>
/// One message of an event's real-time stream, after the hub gave it its <see cref="Seq"/>.
/// <see cref="Data"/> is the exact wire form (payload plus eventId and seq), serialized once and
/// shared by SignalR, the feed and in-process subscribers.
/// </summary>
public sealed record RealtimeMessage(string EventId, long Seq, string Type, DateTimeOffset At, JsonElement Data)
{
    /// <summary>The typed payload when the message was published in this process; null when read back from the feed.</summary>
    public object? Payload { get; init; }

    /// <summary>The payload as <typeparamref name="T"/>, without deserializing when it was published here.</summary>
    public T Read<T>() where T : class =>
        Payload as T ?? Data.Deserialize<T>(RealtimeJson.Options)
        ?? throw new InvalidOperationException($"Message {Type} #{Seq} is not a {typeof(T).Name}.");
}

public static class RealtimeJson
{
    /// <summary>camelCase, as the contract and the seed's clients expect.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>Serializes <paramref name="payload"/> with eventId and seq in front, in one pass.</summary>
    public static JsonElement Compose(string eventId, long seq, object payload)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("eventId", eventId);
            writer.WriteNumber("seq", seq);
            using var body = JsonSerializer.SerializeToDocument(payload, payload.GetType(), Options);
            foreach (var property in body.RootElement.EnumerateObject())
            {
                if (property.NameEquals("eventId") || property.NameEquals("seq"))
                {
                    continue;
                }
                property.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
