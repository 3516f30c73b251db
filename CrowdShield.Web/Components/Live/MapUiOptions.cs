namespace CrowdShield.Web.Components.Live;

/// <summary>Configuration section "MapUi": what the browser map draws under the zones.</summary>
public sealed class MapUiOptions
{
    /// <summary>A tile URL template ({z}/{x}/{y}); empty: zones on a plain background, for events without internet.</summary>
    public string? TileUrl { get; set; }
    public string? TileAttribution { get; set; }

    /// <summary>Venue plans drawn under the zones, by event id: the site map a venue already has, no internet needed.</summary>
    public Dictionary<string, VenuePlan> Plans { get; set; } = [];
}

/// <summary>An image of the venue plan (a URL, e.g. a file in wwwroot) and the corners it covers.</summary>
public sealed class VenuePlan
{
    public string ImageUrl { get; set; } = "";
    public double South { get; set; }
    public double West { get; set; }
    public double North { get; set; }
    public double East { get; set; }
}
