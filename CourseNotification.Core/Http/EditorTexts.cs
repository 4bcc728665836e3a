using CourseNotification.Templates;

namespace CourseNotification.Http;

/// <summary>The editor's words in French and English.</summary>
internal sealed record EditorTexts
{
    public required string Title, Links, OtherLanguage, Saved, NotSaved, ProblemsFound, General, PlatformSwitch, PlatformSwitchHint,
        CourseSwitch, On, Off, Default, Signals, SignalsHint, Switch, DaysHint, EditTexts, TextsOf, TextsHint, PlaceholdersTitle, OldPlaceholders,
        Insert, Preview, PreviewLearner, SampleLearner, SampleLearnerShort, PreviewLanguage, PreviewLanguageHint, PreviewButton, Save, Changes,
        NoChanges, NothingChanged, NoPreview, About, Decision, NotWholeNumber, TooLarge, ChangedMeanwhile;
    public required IReadOnlyDictionary<string, string> Labels { get; init; }
    /// <summary>The words the editor shares with the course's other pages (signal, language, state and reason names).</summary>
    public required CoursePageTexts Pages { get; init; }
    public required IReadOnlyDictionary<MailPart, string> Parts { get; init; }

    public string Label(string field) =>
        Labels.TryGetValue(field, out var label) ? label
        : field.StartsWith("signal.", StringComparison.Ordinal) ? SignalName(field["signal.".Length..])
        : field.Split('.') is [var lang, var part] && Enum.TryParse<MailPart>(part, ignoreCase: true, out var p) ? $"{PartName(p)} ({lang})"
        : field;

    public string SignalName(string signal) => Pages.SignalName(signal);
    public string LanguageName(string lang) => Pages.LanguageName(lang);
    public string PartName(MailPart part) => Parts[part];

    public static EditorTexts For(string lang) => lang == "en" ? English : French;

    private static readonly EditorTexts English = new()
    {
        Title = "Notification settings", Links = "Links", OtherLanguage = "Français",
        Saved = "Saved. The next mails use these settings.", NotSaved = "Not saved: {0} problem(s) to correct", ProblemsFound = "{0} problem(s) to correct before saving",
        General = "Course", PlatformSwitch = "Platform switch", PlatformSwitchHint = "set by the site's administrator, read only here",
        CourseSwitch = "Send this course's mails", On = "On", Off = "Off", Default = "Default ({0})",
        Signals = "Signals", SignalsHint = "Each signal follows the platform's setting unless it is set here. A number left empty takes the default shown.",
        Switch = "Switch", DaysHint = "Default: {0}", EditTexts = "Edit its texts",
        TextsOf = "Texts of “{0}”", TextsHint = "Handlebars texts. A part left as the default, or emptied, keeps the default text. Texts are checked when you save; nothing is saved while one is wrong.",
        PlaceholdersTitle = "Placeholders (type them, or with script click one to insert it where the cursor is):",
        OldPlaceholders = "The old block's placeholders are accepted too:", Insert = "Insert",
        Preview = "Preview", PreviewLearner = "Learner", SampleLearner = "A sample learner", SampleLearnerShort = "sample learner",
        PreviewLanguage = "Language of the sample learner", PreviewLanguageHint = "A learner of the course gets their own language.",
        PreviewButton = "Preview", Save = "Save", Changes = "Changes", NoChanges = "No change recorded yet.", NothingChanged = "nothing changed",
        NoPreview = "No preview:", NotWholeNumber = "“{0}” is not a whole number of days.", TooLarge = "These settings are too large to store (at most {0} characters once saved as JSON): shorten the texts.",
        ChangedMeanwhile = "Not saved: {0} saved this course’s settings at {1} UTC, after you opened this page ({2}). Your input is kept below: check it against their change, then save again.",
        Pages = CoursePageTexts.For("en"),
        About = "“{0}” mail of {1}, in {2}, as it would go out now.", Decision = "For this learner the engine says: {0} ({1}).",
        Labels = new Dictionary<string, string>
        {
            ["enabled"] = "Send this course's mails", ["courseEndClosesAccess"] = "The course end closes access", ["welcomeEvenIfAccessed"] = "Welcome even a learner who already came",
            ["firstCallDays"] = "Days after the start", ["secondCallDays"] = "Days after the start (second call)", ["inactivityDays"] = "Idle days before the first alert",
            ["inactivityRepeatDays"] = "Days between alerts", ["inactivityMaxRepeats"] = "Alerts per spell at most",
        },
        Parts = new Dictionary<MailPart, string> { [MailPart.Subject] = "Subject", [MailPart.Html] = "HTML body", [MailPart.Text] = "Text body" },
    };

    private static readonly EditorTexts French = new()
    {
        Title = "Réglages des notifications", Links = "Liens", OtherLanguage = "English",
        Saved = "Enregistré. Les prochains envois suivent ces réglages.", NotSaved = "Rien n’est enregistré\u00A0: {0} problème(s) à corriger", ProblemsFound = "{0} problème(s) à corriger avant d’enregistrer",
        General = "Cours", PlatformSwitch = "Interrupteur de la plateforme", PlatformSwitchHint = "réglé par l’administrateur du site, en lecture seule ici",
        CourseSwitch = "Envoyer les messages de ce cours", On = "Activé", Off = "Désactivé", Default = "Par défaut ({0})",
        Signals = "Signaux", SignalsHint = "Chaque signal suit le réglage de la plateforme sauf s’il est réglé ici. Un nombre laissé vide prend la valeur par défaut indiquée.",
        Switch = "Interrupteur", DaysHint = "Par défaut\u00A0: {0}", EditTexts = "Modifier ses textes",
        TextsOf = "Textes de «\u00A0{0}\u00A0»", TextsHint = "Textes Handlebars. Une partie laissée telle quelle, ou vidée, garde le texte par défaut. Les textes sont vérifiés à l’enregistrement\u00A0; rien n’est enregistré tant que l’un d’eux est faux.",
        PlaceholdersTitle = "Champs de fusion (à taper, ou avec le script, cliquer pour l’insérer à l’endroit du curseur)\u00A0:",
        OldPlaceholders = "Ceux de l’ancien bloc sont acceptés aussi\u00A0:", Insert = "Insérer",
        Preview = "Aperçu", PreviewLearner = "Stagiaire", SampleLearner = "Un stagiaire fictif", SampleLearnerShort = "stagiaire fictif",
        PreviewLanguage = "Langue du stagiaire fictif", PreviewLanguageHint = "Un stagiaire du cours reçoit sa propre langue.",
        PreviewButton = "Aperçu", Save = "Enregistrer", Changes = "Modifications", NoChanges = "Aucune modification enregistrée pour l’instant.", NothingChanged = "rien de changé",
        NoPreview = "Pas d’aperçu\u00A0:", NotWholeNumber = "«\u00A0{0}\u00A0» n’est pas un nombre entier de jours.", TooLarge = "Ces réglages sont trop longs pour être enregistrés (au plus {0} caractères une fois écrits en JSON)\u00A0: raccourcissez les textes.",
        ChangedMeanwhile = "Rien n’est enregistré\u00A0: {0} a enregistré les réglages de ce cours à {1} UTC, après l’ouverture de cette page ({2}). Votre saisie est conservée ci-dessous\u00A0: comparez-la à cette modification, puis enregistrez de nouveau.",
        Pages = CoursePageTexts.For("fr"),
        About = "Message «\u00A0{0}\u00A0» de {1}, en {2}, tel qu’il partirait maintenant.", Decision = "Pour ce stagiaire, le moteur dit\u00A0: {0} ({1}).",
        Labels = new Dictionary<string, string>
        {
            ["enabled"] = "Envoyer les messages de ce cours", ["courseEndClosesAccess"] = "La fin du cours ferme l’accès", ["welcomeEvenIfAccessed"] = "Accueillir même un stagiaire déjà venu",
            ["firstCallDays"] = "Jours après le début", ["secondCallDays"] = "Jours après le début (deuxième relance)", ["inactivityDays"] = "Jours d’inactivité avant la première alerte",
            ["inactivityRepeatDays"] = "Jours entre deux alertes", ["inactivityMaxRepeats"] = "Alertes par période au plus",
        },
        Parts = new Dictionary<MailPart, string> { [MailPart.Subject] = "Objet", [MailPart.Html] = "Corps HTML", [MailPart.Text] = "Corps texte" },
    };
}
