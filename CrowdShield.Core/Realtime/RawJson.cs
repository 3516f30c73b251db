using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrowdShield.Core.Realtime;

/// <summary>
/// A JSON value kept as the UTF-8 bytes it was serialized to, and written out as-is: a message is serialized
/// once and those same bytes go to the feed, to SignalR and to the feed endpoint, without re-encoding.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public sealed class RawJson(byte[] utf8)
{
    public ReadOnlyMemory<byte> Utf8 { get; } = utf8;

    internal byte[] Bytes => utf8;

    public JsonDocument Parse() => JsonDocument.Parse(Utf8);

    public override string ToString() => System.Text.Encoding.UTF8.GetString(utf8);

    private sealed class RawJsonConverter : JsonConverter<RawJson>
    {
        public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return new RawJson(JsonSerializer.SerializeToUtf8Bytes(document.RootElement));
        }

        public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true);
    }
}
