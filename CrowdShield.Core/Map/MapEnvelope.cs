using System.Text;

namespace CrowdShield.Core.Map;

/// <summary>Pings and camera counts as they cross the backplane, so every node's live map counts what any node stored.</summary>
internal static class MapEnvelope
{
    public static byte[] EncodePings(string eventId, IReadOnlyList<Ping> pings)
    {
        using var stream = new MemoryStream(64 + pings.Count * 48);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(eventId);
            writer.Write(pings.Count);
            foreach (var ping in pings)
            {
                writer.Write(ping.Lat);
                writer.Write(ping.Lng);
                writer.Write(ping.Accuracy ?? double.NaN);
                writer.Write(ping.DeviceId ?? "");
                writer.Write(ping.UserId ?? "");
                writer.Write(ping.Staff);
                writer.Write(ping.StaffName ?? "");
                writer.Write(ping.RecordedAt.ToUnixTimeMilliseconds());
                writer.Write(ping.ExpiresAt.ToUnixTimeMilliseconds());
            }
        }
        return stream.ToArray();
    }

    public static (string EventId, Ping[] Pings) DecodePings(ReadOnlyMemory<byte> bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes.ToArray()), Encoding.UTF8);
        var eventId = reader.ReadString();
        var pings = new Ping[reader.ReadInt32()];
        for (var i = 0; i < pings.Length; i++)
        {
            var lat = reader.ReadDouble();
            var lng = reader.ReadDouble();
            var accuracy = reader.ReadDouble();
            var device = reader.ReadString();
            var user = reader.ReadString();
            var staff = reader.ReadBoolean();
            var staffName = reader.ReadString();
            pings[i] = new Ping
            {
                EventId = eventId, Lat = lat, Lng = lng, Accuracy = double.IsNaN(accuracy) ? null : accuracy,
                DeviceId = device.Length == 0 ? null : device, UserId = user.Length == 0 ? null : user,
                Staff = staff, StaffName = staffName.Length == 0 ? null : staffName,
                RecordedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64()),
                ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64()),
            };
        }
        return (eventId, pings);
    }

    public static byte[] EncodeCamera(string eventId, string zoneId, string cameraId, int count, DateTimeOffset capturedAt)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(eventId);
            writer.Write(zoneId);
            writer.Write(cameraId);
            writer.Write(count);
            writer.Write(capturedAt.ToUnixTimeMilliseconds());
        }
        return stream.ToArray();
    }

    public static (string EventId, string ZoneId, string CameraId, int Count, DateTimeOffset CapturedAt) DecodeCamera(ReadOnlyMemory<byte> bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes.ToArray()), Encoding.UTF8);
        return (reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadInt32(),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64()));
    }

    public static byte[] EncodeCrossing(CrossingUpdate c)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(c.EventId);
            writer.Write(c.ZoneId);
            writer.Write(c.CounterId ?? "");
            writer.Write(c.In);
            writer.Write(c.Out);
            writer.Write(c.CapturedAt.ToUnixTimeMilliseconds());
            writer.Write(c.Occupancy);
            writer.Write(c.OccupancyAt.ToUnixTimeMilliseconds());
        }
        return stream.ToArray();
    }

    public static CrossingUpdate DecodeCrossing(ReadOnlyMemory<byte> bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes.ToArray()), Encoding.UTF8);
        var eventId = reader.ReadString();
        var zoneId = reader.ReadString();
        var counter = reader.ReadString();
        return new CrossingUpdate(eventId, zoneId, counter.Length == 0 ? null : counter, reader.ReadInt32(), reader.ReadInt32(),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64()), reader.ReadInt32(), DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64()));
    }
}
