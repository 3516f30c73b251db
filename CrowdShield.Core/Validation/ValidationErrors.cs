namespace CrowdShield.Core.Validation;

/// <summary>The bad fields of a request, by JSON path ("pings[3].lat"), each with what is wrong.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public ValidationErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
        return this;
    }

    public void Required(string field, string? value, int maxLength = 2000)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, $"'{field}' is required.");
        }
        else if (value.Length > maxLength)
        {
            Add(field, $"'{field}' must be at most {maxLength} characters.");
        }
    }

    public void Optional(string field, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength)
        {
            Add(field, $"'{field}' must be at most {maxLength} characters.");
        }
    }

    public void Lat(string field, double? value, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                Add(field, $"'{field}' is required.");
            }
        }
        else if (!Map.GeoPoint.IsValidLat(value.Value))
        {
            Add(field, $"'{field}' must be a finite number in [-90, 90].");
        }
    }

    public void Lng(string field, double? value, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                Add(field, $"'{field}' is required.");
            }
        }
        else if (!Map.GeoPoint.IsValidLng(value.Value))
        {
            Add(field, $"'{field}' must be a finite number in [-180, 180].");
        }
    }

    public void OneOf(string field, string? value, IReadOnlyList<string> allowed, bool required = true)
    {
        if (value is null)
        {
            if (required)
            {
                Add(field, $"'{field}' is required: one of {string.Join(", ", allowed)}.");
            }
        }
        else if (!allowed.Contains(value))
        {
            Add(field, $"'{field}' must be one of {string.Join(", ", allowed)}.");
        }
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
}

/// <summary>Thrown by Core operations on input that cannot be accepted; the host turns it into a 400 problem.</summary>
public sealed class ValidationException(ValidationErrors errors) : Exception("The request has invalid fields.")
{
    public ValidationErrors Errors { get; } = errors;

    public static ValidationException For(string field, string message) => new(new ValidationErrors().Add(field, message));
}
