using System.Buffers.Binary;
using System.Text;

namespace CrowdShield.Core.Realtime;

/// <summary>A stored message as it crosses the backplane to the other nodes: its identity and its exact wire bytes.</summary>
internal static class MessageEnvelope
{
    public static byte[] Encode(RealtimeMessage message)
    {
        var eventId = Encoding.UTF8.GetBytes(message.EventId);
        var type = Encoding.UTF8.GetBytes(message.Type);
        var json = message.Json.Utf8.Span;
        var buffer = new byte[4 + eventId.Length + 8 + 4 + type.Length + 8 + json.Length];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, eventId.Length);
        eventId.CopyTo(span[4..]);
        span = span[(4 + eventId.Length)..];
        BinaryPrimitives.WriteInt64LittleEndian(span, message.Seq);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], type.Length);
        type.CopyTo(span[12..]);
        span = span[(12 + type.Length)..];
        BinaryPrimitives.WriteInt64LittleEndian(span, message.At.ToUnixTimeMilliseconds());
        json.CopyTo(span[8..]);
        return buffer;
    }

    public static RealtimeMessage Decode(ReadOnlySpan<byte> span)
    {
        var eventIdLength = BinaryPrimitives.ReadInt32LittleEndian(span);
        var eventId = Encoding.UTF8.GetString(span.Slice(4, eventIdLength));
        span = span[(4 + eventIdLength)..];
        var seq = BinaryPrimitives.ReadInt64LittleEndian(span);
        var typeLength = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        var type = Encoding.UTF8.GetString(span.Slice(12, typeLength));
        span = span[(12 + typeLength)..];
        var at = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(span));
        return new RealtimeMessage(eventId, seq, type, at, new RawJson(span[8..].ToArray()));
    }
}
