using System.Globalization;
using CourseNotification.Enrolments;
using CourseNotification.Settings;
using Microsoft.Extensions.Options;

namespace CourseNotification.Templates;

/// <summary>A rendered mail, in one language.</summary>
public sealed record RenderedMail(string Language, string Subject, string Html, string Text);

/// <summary>Everything a template may speak of for one send.</summary>
public sealed record MailContext(Course Course, Learner Learner, TimeZoneInfo Zone, DateOnly Anchor);

/// <summary>Chooses the learner's language and renders the subject, HTML and text of a signal's mail.</summary>
public sealed class MailRenderer(TemplateCatalog catalog, IOptions<PlatformOptions> platform)
{
    public RenderedMail Render(string signal, MailContext context)
    {
        var lang = Languages.Pick(context.Learner.Lang, platform.Value.DefaultLanguage);
        if (!TemplateCatalog.Has(signal, lang))
        {
            throw new InvalidOperationException($"No template for signal '{signal}' in '{lang}'.");
        }
        var model = Model(context, CultureInfo.GetCultureInfo(lang));
        return new RenderedMail(
            lang,
            catalog.Render(signal, lang, MailPart.Subject, model),
            catalog.Render(signal, lang, MailPart.Html, model),
            catalog.Render(signal, lang, MailPart.Text, model));
    }

    private Dictionary<string, object?> Model(MailContext context, CultureInfo culture)
    {
        var options = platform.Value;
        var moodleUrl = options.MoodleUrl.TrimEnd('/');
        var (course, learner) = (context.Course, context.Learner);
        var courseUrl = course.Url ?? $"{moodleUrl}/course/view.php?id={course.Id.ToString(CultureInfo.InvariantCulture)}";
        var model = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["firstName"] = learner.FirstName,
            ["lastName"] = learner.LastName,
            ["username"] = learner.Username,
            ["courseName"] = course.FullName,
            ["courseShortName"] = course.ShortName,
            ["courseId"] = course.Id,
            ["courseUrl"] = courseUrl,
            ["startDate"] = context.Anchor.ToString("D", culture),
            ["siteName"] = options.SiteName,
            ["moodleUrl"] = moodleUrl,
            ["forgotPasswordUrl"] = $"{moodleUrl}/login/forgot_password.php",
            ["contactUrl"] = $"{moodleUrl}/user/contactsitesupport.php",
        };
        // The old plugin's placeholders, so administrators can paste their texts.
        model["FIRSTNAME"] = model["firstName"];
        model["LASTNAME"] = model["lastName"];
        model["USERNAME"] = model["username"];
        model["COURSE"] = model["courseName"];
        model["COURSESHORT"] = model["courseShortName"];
        model["COURSEID"] = model["courseId"];
        model["WWWROOT"] = moodleUrl;
        model["SITENAME"] = model["siteName"];
        model["CONTACTURL"] = model["contactUrl"];
        return model;
    }
}
