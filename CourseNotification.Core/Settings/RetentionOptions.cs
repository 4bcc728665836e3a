using System.ComponentModel.DataAnnotations;

namespace CourseNotification.Settings;

/// <summary>How long what the service records is kept, bound from <c>Retention__*</c> (0: kept until erased).</summary>
public sealed class RetentionOptions : IValidatableObject
{
    public const string Section = "Retention";

    /// <summary>
    /// Below this, a purge could drop the record of a send whose catch-up window is still open, and the
    /// engine would send it again.
    /// </summary>
    public const int MinimumDays = 180;

    /// <summary>Days a send's ledger row is kept after it went out or failed (the default covers a 3-year Qualiopi cycle).</summary>
    public int LedgerDays { get; set; } = 1095;

    /// <summary>Days a questionnaire answer is kept after it was given.</summary>
    public int AnswersDays { get; set; } = 1095;

    /// <summary>Days a questionnaire link's record is kept after it expired (it then answers "not valid" instead of "closed").</summary>
    public int ExpiredLinkDays { get; set; } = 90;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, days) in new[] { (nameof(LedgerDays), LedgerDays), (nameof(AnswersDays), AnswersDays) })
        {
            if (days != 0 && (days < MinimumDays || days > 36_500))
            {
                yield return new ValidationResult($"Retention__{name}: {days} is neither 0 (keep) nor from {MinimumDays} to 36500 days.", [name]);
            }
        }
        if (ExpiredLinkDays is < 1 or > 36_500)
        {
            yield return new ValidationResult($"Retention__ExpiredLinkDays: {ExpiredLinkDays} is not from 1 to 36500 days.", [nameof(ExpiredLinkDays)]);
        }
    }
}
