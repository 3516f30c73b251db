using CrowdShield.Core.Validation;

namespace CrowdShield.Web.Auth;

/// <summary>
/// Password rules as NIST SP 800-63B asks of verifiers: length, not composition (8 to 128 characters, any
/// characters, spaces included), and no password that is commonly used, a common word with digits or symbols
/// added at the end ("Password2026!"), repetitive or sequential, or made of the account's own name or email.
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 8;
    public const int MaxLength = 128;

    public static void Validate(ValidationErrors errors, string field, string? password, string? email = null, string? name = null)
    {
        if (password is null || password.Length < MinLength || password.Length > MaxLength)
        {
            errors.Add(field, $"'{field}' must be {MinLength} to {MaxLength} characters; a phrase of several words is easiest to remember.");
            return;
        }
        if (Weakness(password, email, name) is { } why)
        {
            errors.Add(field, $"'{field}' {why}; choose a longer or less predictable one.");
        }
    }

    /// <summary>Why the password is too easy to guess, or null.</summary>
    public static string? Weakness(string password, string? email, string? name)
    {
        var lower = password.ToLowerInvariant();
        var core = lower.TrimEnd("0123456789!@#$%^&*()-_=+.?,;: ".ToCharArray()).TrimStart("0123456789!@#$%^&*()-_=+.?,;: ".ToCharArray());
        if (Common.Contains(lower) || (core.Length > 0 && Common.Contains(core)))
        {
            return "is one of the most commonly used passwords";
        }
        if (lower.Distinct().Count() <= 2)
        {
            return "repeats one or two characters";
        }
        if (IsSequence(lower))
        {
            return "is a simple sequence";
        }
        var local = email?.Split('@')[0].ToLowerInvariant();
        if (local is { Length: >= 4 } && lower.Contains(local))
        {
            return "contains the account's email address";
        }
        if (name?.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(p => p.Length >= 4 && lower == p || core == p) is not null)
        {
            return "is the account's name";
        }
        if (core is "crowdshield" or "crowd-shield" or "crowdshieldadmin")
        {
            return "is the name of this service";
        }
        return null;
    }

    private static bool IsSequence(string text)
    {
        if (text.Length < 3)
        {
            return false;
        }
        var step = text[1] - text[0];
        if (Math.Abs(step) != 1)
        {
            return false;
        }
        for (var i = 2; i < text.Length; i++)
        {
            if (text[i] - text[i - 1] != step)
            {
                return false;
            }
        }
        return true;
    }

    // The most common passwords of public breach corpora (and their usual spellings), lower-case.
    private static readonly HashSet<string> Common = new(StringComparer.Ordinal)
    {
        "password", "passw0rd", "p@ssword", "p@ssw0rd", "pa55word", "passwort", "motdepasse", "contraseña", "wachtwoord",
        "password1", "password12", "password123", "password1234", "mypassword", "newpassword", "secret", "secret123",
        "12345678", "123456789", "1234567890", "12341234", "11111111", "00000000", "88888888", "87654321", "98765432",
        "987654321", "11223344", "12344321", "qwerty", "qwertyui", "qwertyuiop", "qwerty123", "qwerty1234", "qwertz",
        "azerty", "azertyuiop", "asdfgh", "asdfghjk", "asdfghjkl", "zxcvbnm", "zxcvbnm1", "1qaz2wsx", "1q2w3e4r",
        "1q2w3e4r5t", "q1w2e3r4", "qazwsxedc", "qazwsx", "abcd1234", "abc12345", "abcdefgh", "abcdefg1", "aa123456",
        "iloveyou", "iloveyou1", "letmein", "letmein1", "welcome", "welcome1", "welcome123", "changeme", "changeit",
        "default", "admin", "admin123", "admin1234", "administrator", "root", "toor", "login", "master", "master123",
        "monkey", "dragon", "shadow", "sunshine", "princess", "football", "baseball", "basketball", "soccer", "hockey",
        "superman", "batman", "starwars", "pokemon", "minecraft", "fortnite", "trustno1", "whatever", "freedom",
        "michael", "jennifer", "jessica", "charlie", "daniel", "thomas", "jordan", "hunter", "ranger", "buster",
        "tigger", "harley", "andrew", "joshua", "matthew", "robert", "ashley", "nicole", "chelsea", "liverpool",
        "arsenal", "manchester", "barcelona", "juventus", "mustang", "corvette", "ferrari", "porsche", "mercedes",
        "computer", "internet", "samsung", "google", "facebook", "linkedin", "twitter", "spotify", "microsoft",
        "summer", "winter", "autumn", "spring", "monday", "friday", "january", "december", "september", "october",
        "cheese", "cookie", "chocolate", "banana", "orange", "purple", "yellow", "silver", "golden", "diamond",
        "pepper", "ginger", "maggie", "buddy", "lucky", "killer", "hello", "hello123", "helloworld", "access",
        "security", "secure", "matrix", "thunder", "dallas", "austin", "yankees", "flower", "loveme", "lovely",
        "angel", "angels", "blessed", "forever", "family", "friends", "1234qwer", "qwer1234", "zaq12wsx", "!qaz2wsx",
        "test", "test123", "test1234", "testing", "tester", "guest", "guest123", "user", "user123", "demo", "demo123",
        "operator", "festival", "stadium", "station", "control", "controlroom", "event", "events", "venue", "gate",
        "steward", "security1", "q1w2e3r4t5", "1q2w3e", "123qwe", "123qweasd", "qweasdzxc", "asd123", "zxc123",
        "666666", "777777", "999999", "123123123", "123321", "121212", "131313", "159753", "112233", "147258369",
        "789456123", "741852963", "password!", "passw0rd!", "p4ssw0rd", "pa$$w0rd", "pa$$word", "letmein!", "abc123",
    };
}
