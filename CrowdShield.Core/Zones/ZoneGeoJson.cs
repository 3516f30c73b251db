using System.Text.Json;
using System.Text.Json.Nodes;
using CrowdShield.Core.Events;
using CrowdShield.Core.Validation;

namespace CrowdShield.Core.Zones;

/// <summary>
/// An event's zones as an RFC 7946 FeatureCollection: one Polygon feature per zone, positions as [lng, lat],
/// rings closed, the zone's fields in <c>properties</c> (id, name, areaM2, capacity, alertThreshold, gateWidthM).
/// Zones without an outline are features with a null geometry.
/// </summary>
public static class ZoneGeoJson
{
    public static JsonObject Write(Event e) => new()
    {
        ["type"] = "FeatureCollection",
        ["features"] = new JsonArray([.. e.Zones.OrderBy(z => z.Id, StringComparer.Ordinal).Select(z => (JsonNode)new JsonObject
        {
            ["type"] = "Feature",
            ["id"] = z.Id,
            ["geometry"] = z.Polygon.Count >= 3
                ? new JsonObject
                {
                    ["type"] = "Polygon",
                    ["coordinates"] = new JsonArray(new JsonArray([.. z.Polygon.Append(z.Polygon[0]).Select(p => (JsonNode)new JsonArray(p.Lng, p.Lat))])),
                }
                : null,
            ["properties"] = new JsonObject
            {
                ["id"] = z.Id,
                ["name"] = z.Name,
                ["areaM2"] = z.AreaM2,
                ["capacity"] = z.Capacity,
                ["alertThreshold"] = z.AlertThreshold,
                ["gateWidthM"] = z.GateWidthM,
            },
        })]),
    };

    /// <summary>Reads a FeatureCollection into zone requests, naming each bad field ("features[2].geometry") in <paramref name="errors"/>.</summary>
    public static IReadOnlyList<ZoneRequest> Read(JsonElement document, ValidationErrors errors)
    {
        if (document.ValueKind != JsonValueKind.Object || !document.TryGetProperty("type", out var type) || type.GetString() != "FeatureCollection")
        {
            errors.Add("type", "'type' must be \"FeatureCollection\".");
            return [];
        }
        if (!document.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
        {
            errors.Add("features", "'features' must be an array of Polygon features.");
            return [];
        }
        var zones = new List<ZoneRequest>();
        var index = 0;
        foreach (var feature in features.EnumerateArray())
        {
            var at = $"features[{index++}]";
            if (feature.ValueKind != JsonValueKind.Object)
            {
                errors.Add(at, $"'{at}' must be a Feature.");
                continue;
            }
            var properties = feature.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
            var id = String(properties, "id") ?? (feature.TryGetProperty("id", out var fid) && fid.ValueKind == JsonValueKind.String ? fid.GetString() : null);
            var polygon = Polygon(feature, $"{at}.geometry", errors);
            var zone = new ZoneRequest(id, String(properties, "name"), polygon, Number(properties, "areaM2"), Integer(properties, "capacity"),
                Integer(properties, "alertThreshold"), Number(properties, "gateWidthM"));
            var fieldErrors = new ValidationErrors();
            zone.Validate(fieldErrors, at);
            foreach (var (field, messages) in fieldErrors.ToDictionary())
            {
                // The zone's own names (name, polygon…) are the feature's properties and geometry here.
                var name = field.Replace($"{at}.polygon", $"{at}.geometry", StringComparison.Ordinal)
                    .Replace($"{at}.", $"{at}.properties.", StringComparison.Ordinal).Replace($"{at}.properties.geometry", $"{at}.geometry", StringComparison.Ordinal);
                foreach (var message in messages)
                {
                    errors.Add(name, message.Replace(field, name, StringComparison.Ordinal));
                }
            }
            zones.Add(zone);
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < zones.Count; i++)
        {
            if (zones[i].Id is { } zoneId && !ids.Add(zoneId))
            {
                errors.Add($"features[{i}].properties.id", $"'features[{i}].properties.id' repeats the id '{zoneId}'.");
            }
        }
        if (zones.Count > EventRequest.MaxZones)
        {
            errors.Add("features", $"'features' must hold at most {EventRequest.MaxZones} zones.");
        }
        return zones;
    }

    private static List<LatLng?>? Polygon(JsonElement feature, string at, ValidationErrors errors)
    {
        if (!feature.TryGetProperty("geometry", out var geometry) || geometry.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (geometry.ValueKind != JsonValueKind.Object || !geometry.TryGetProperty("type", out var type) || type.GetString() != "Polygon"
            || !geometry.TryGetProperty("coordinates", out var rings) || rings.ValueKind != JsonValueKind.Array)
        {
            errors.Add(at, $"'{at}' must be a GeoJSON Polygon with coordinates.");
            return null;
        }
        if (rings.GetArrayLength() != 1)
        {
            errors.Add(at, $"'{at}' must have exactly one ring: zones have no holes (draw the hole as a zone of its own).");
            return null;
        }
        var points = new List<LatLng?>();
        foreach (var position in rings[0].EnumerateArray())
        {
            if (position.ValueKind != JsonValueKind.Array || position.GetArrayLength() < 2
                || position[0].ValueKind != JsonValueKind.Number || position[1].ValueKind != JsonValueKind.Number)
            {
                errors.Add(at, $"'{at}' positions must be [longitude, latitude] numbers.");
                return null;
            }
            points.Add(new LatLng(position[1].GetDouble(), position[0].GetDouble()));
        }
        return points;
    }

    private static string? String(JsonElement properties, string name) =>
        properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Number(JsonElement properties, string name) =>
        properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static int? Integer(JsonElement properties, string name) =>
        properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;
}
