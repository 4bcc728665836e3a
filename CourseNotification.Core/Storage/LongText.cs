using System.Globalization;
using Azure.Data.Tables;

namespace CourseNotification.Storage;

/// <summary>
/// A text longer than one Table Storage property holds (a string property is at most 64 KiB of UTF-16:
/// 32,768 characters), spread over the properties <c>Name</c>, <c>Name_1</c>, <c>Name_2</c>... of one
/// entity, up to what an entity holds (1 MiB). A row written with one property reads the same.
/// </summary>
public static class LongText
{
    /// <summary>Characters in one property.</summary>
    public const int PartChars = 32 * 1024;

    /// <summary>Parts in one entity: 15 full parts and their names stay under 1 MiB with the keys.</summary>
    public const int MaxParts = 15;

    /// <summary>The longest text an entity keeps this way (491,520 characters).</summary>
    public const int MaxChars = PartChars * MaxParts;

    /// <summary>Puts <paramref name="text"/> into <paramref name="entity"/>; false, and nothing put, when it is longer than <see cref="MaxChars"/>.</summary>
    public static bool TryPut(TableEntity entity, string name, string text)
    {
        if (text.Length > MaxChars)
        {
            return false;
        }
        var part = 0;
        for (; part == 0 || part * PartChars < text.Length; part++)
        {
            entity[NameOf(name, part)] = text.Substring(part * PartChars, Math.Min(PartChars, text.Length - part * PartChars));
        }
        // Parts of a longer text the entity held before (an entity read, changed and replaced).
        for (; part < MaxParts; part++)
        {
            entity.Remove(NameOf(name, part));
        }
        return true;
    }

    /// <summary>The text put by <see cref="TryPut"/>, or null when the entity has none.</summary>
    public static string? Get(TableEntity entity, string name)
    {
        if (entity.GetString(name) is not { } first)
        {
            return null;
        }
        var parts = new List<string> { first };
        for (var part = 1; entity.GetString(NameOf(name, part)) is { } next; part++)
        {
            parts.Add(next);
        }
        return string.Concat(parts);
    }

    /// <summary>Every property name a text may use (for a query's select).</summary>
    public static IEnumerable<string> Names(string name) => Enumerable.Range(0, MaxParts).Select(part => NameOf(name, part));

    private static string NameOf(string name, int part) => part == 0 ? name : name + "_" + part.ToString(CultureInfo.InvariantCulture);
}
