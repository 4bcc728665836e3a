using CourseNotification.Signals;
using Microsoft.AspNetCore.Http;

namespace CourseNotification.Http;

/// <summary>
/// The words of a course's pages for teachers and administrators (status grid, mail preview, send again,
/// the door from Moodle and its refusals) in French and English; the settings editor adds its own
/// (<see cref="EditorTexts"/>). Formats take their values in the order their comments give.
/// </summary>
internal sealed record CoursePageTexts
{
    public required string Lang { get; init; }

    public required string BackToStatus, Colon, Utc, Nothing;

    // The status grid. Intro: course id, instant, learners matching. A cell's name: what it shows (first, as
    // WCAG's "label in name" asks), the signal, the reason.
    public required string StatusTitle, StatusIntro, SettingsLink, State, AnyState, Initial, ActiveOnly, HideEmpty, Filter, GridLabel, Learner, Totals,
        AnchorOf, AskedBy, CellLabel, SendAgain, SendAgainLabel, Pages, PageOf, PreviousPage, NextPage;

    // The mail preview. About: learner id, signal, state (with instant and reason), language.
    public required string PreviewTitle, PreviewAbout, Subject, HtmlPart, TextPart, SendTest, TestAddress, SendTestButton, TestSent, TestSentText, NoTestSent;

    // Send again. Went: signal, learner, instant. Asked: signal, who, instant.
    public required string ResendQuestion, ResendWent, ResendExplain, ResendYes, ResendNo, AlreadyAsked, AlreadyAskedText, Asked, AskedText, NothingToResend, NothingToResendText;

    // The administrators' site overview. Period: from, to.
    public required string OverviewTitle, OverviewPeriod, Intake, LastEvent, LastSync, PoisonedSends, Courses, CourseColumn, SentColumn, FailedColumn, DueColumn, PoisonedColumn, StatusLink, Never;

    // The door from Moodle, and what the guard says to a person it refuses.
    public required string CannotOpen, Refused, OpenFromMoodle, NotPermitted, TeachersHint;

    public required IReadOnlyDictionary<GrantRefusal, string> Refusals { get; init; }
    public required IReadOnlyDictionary<string, string> SignalNames { get; init; }
    public required IReadOnlyDictionary<string, string> Languages { get; init; }
    public required IReadOnlyDictionary<DecisionState, string> States { get; init; }

    /// <summary>The engine's reasons (<see cref="Reasons"/>) in this language; English needs none, and a reason from elsewhere (a provider's refusal) is shown as it came.</summary>
    public required IReadOnlyDictionary<string, string> ReasonWords { get; init; }

    public string SignalName(string signal) => SignalNames.GetValueOrDefault(signal) ?? signal;
    public string LanguageName(string lang) => Languages.GetValueOrDefault(lang) ?? lang;
    public string StateName(DecisionState state) => States[state];
    public string Reason(string? reason) => reason is null ? "" : ReasonWords.GetValueOrDefault(reason) ?? reason;
    public string Refusal(GrantRefusal refusal) => Refusals[refusal];

    public static CoursePageTexts For(string lang) => lang == "en" ? English : French;

    /// <summary>The words of the page a request asks for, in its language (<see cref="CoursePages.Language"/>).</summary>
    public static CoursePageTexts Of(HttpRequest request, string platformDefault) => For(CoursePages.Language(request, platformDefault));

    private static readonly CoursePageTexts English = new()
    {
        Lang = "en", BackToStatus = "Back to the course status", Colon = ": ", Utc = "UTC", Nothing = "Nothing was changed.",
        StatusTitle = "status", StatusIntro = "Course {0}, as of {1} UTC: {2} learner(s) match. Hover or focus a cell for its reason; follow it to preview the mail (and send it as a test).",
        SettingsLink = "Settings and texts of this course", State = "State", AnyState = "any", Initial = "Last name initial", ActiveOnly = "Active only",
        HideEmpty = "Hide signals with nothing to show", Filter = "Filter", GridLabel = "Learners and signals", Learner = "Learner", Totals = "Totals",
        AnchorOf = "anchor {0}", AskedBy = ", asked by {0}", CellLabel = "{0} – {1}: {2}. Preview the mail", SendAgain = "send again", SendAgainLabel = "Send the “{0}” mail to {1} again",
        Pages = "Pages", PageOf = "Page {0} of {1}.", PreviousPage = "Previous page", NextPage = "Next page",
        PreviewTitle = "Mail preview", PreviewAbout = "Learner {0}, “{1}” mail: {2}. Language: {3}. Nothing is sent by this page.",
        Subject = "Subject", HtmlPart = "HTML part of the mail", TextPart = "Text part", SendTest = "Send it as a test", TestAddress = "Address to send the test to",
        SendTestButton = "Send a test", TestSent = "Test sent", TestSentText = "The “{0}” mail of learner {1} was sent to {2}, marked [Test]. No learner's state changed.", NoTestSent = "No test sent",
        ResendQuestion = "Send this mail again?", ResendWent = "The “{0}” mail went to {1} on {2} UTC.",
        ResendExplain = "Send it again? It goes out once, at the next scan (at the learner's send hour, outside quiet hours), with the course's texts as they are then. The request is recorded with who made it.",
        ResendYes = "Yes, send it again", ResendNo = "No, back to the course status", AlreadyAsked = "Already asked",
        AlreadyAskedText = "This “{0}” mail was already asked to go out again and has not gone yet: nothing more was recorded.",
        Asked = "Asked to send again", AskedText = "The “{0}” mail will go out again at the next scan. Recorded: asked by {1} on {2} UTC.",
        NothingToResend = "Nothing to send again",
        NothingToResendText = "This “{0}” mail is not, or no longer, one that went out: it may already be asked to go out again, or the learner's situation changed. Nothing was changed; the course status shows where it stands.",
        OverviewTitle = "Site overview", OverviewPeriod = "From {0} to {1} UTC.", Intake = "Intake", LastEvent = "Last Moodle event", LastSync = "Last pull sync",
        PoisonedSends = "Poisoned sends", Courses = "Courses", CourseColumn = "Course", SentColumn = "Sent", FailedColumn = "Failed", DueColumn = "Due now",
        PoisonedColumn = "Poisoned", StatusLink = "status", Never = "never",
        CannotOpen = "This link cannot open the course", Refused = "Refused",
        OpenFromMoodle = "This course's pages open from the course in Moodle (the CourseNotification block): your session for this course has expired or was never opened.",
        NotPermitted = "Your access to this course from Moodle does not let you do this.",
        TeachersHint = "Teachers: open this page from the course in Moodle (the CourseNotification block).",
        Refusals = new Dictionary<GrantRefusal, string>
        {
            [GrantRefusal.Missing] = "This link carries no grant.",
            [GrantRefusal.Malformed] = "This link's grant is not one Moodle makes.",
            [GrantRefusal.NoSecret] = "This service has no Moodle secret configured (Moodle__WebhookSecrets), so it cannot check Moodle's links.",
            [GrantRefusal.OtherService] = "This link cannot be used: it is meant for another service.",
            [GrantRefusal.OtherSite] = "This link cannot be used: it comes from another Moodle site.",
            [GrantRefusal.WrongSignature] = "This link cannot be used: its signature does not match this service's Moodle secret.",
            [GrantRefusal.NotHs256] = "This link cannot be used: it is not signed with HS256.",
            [GrantRefusal.Invalid] = "This link cannot be used: it is not a valid grant.",
            [GrantRefusal.NoTimes] = "This link cannot be used: its grant has no issue or expiry time.",
            [GrantRefusal.LivesTooLong] = "This link cannot be used: its grant would live more than 10 minutes.",
            [GrantRefusal.Expired] = "This link has expired: go back to the course in Moodle and follow the link again.",
            [GrantRefusal.FromTheFuture] = "This link cannot be used: it was issued in the future (check the clocks of Moodle and this service).",
            [GrantRefusal.OtherCourse] = "This link is for another course.",
            [GrantRefusal.NoUser] = "This link cannot be used: its grant names no Moodle user.",
            [GrantRefusal.NoView] = "This link does not let you view this course.",
            [GrantRefusal.NoId] = "This link cannot be used: its grant has no id.",
            [GrantRefusal.AlreadyUsed] = "This link was already used: go back to the course in Moodle and follow the link again.",
        },
        SignalNames = new Dictionary<string, string>
        {
            ["welcome"] = "Welcome", ["firstcall"] = "First call (never came)", ["secondcall"] = "Second call (never came)", ["end15"] = "Access ends in 15 days",
            ["end7"] = "Access ends in 7 days", ["end5"] = "Access ends in 5 days", ["end3"] = "Access ends in 3 days", ["end1"] = "Last day of access",
            ["closed"] = "Access closed", ["completed"] = "Course completed", ["inactive"] = "Inactivity",
        },
        Languages = new Dictionary<string, string> { ["fr"] = "French", ["en"] = "English" },
        States = new Dictionary<DecisionState, string>
        {
            [DecisionState.Sent] = "sent", [DecisionState.Due] = "due", [DecisionState.Scheduled] = "scheduled", [DecisionState.Superseded] = "superseded",
            [DecisionState.Missed] = "missed", [DecisionState.Failed] = "failed", [DecisionState.Disabled] = "disabled", [DecisionState.NotApplicable] = "not applicable",
        },
        ReasonWords = new Dictionary<string, string>(),
    };

    private static readonly CoursePageTexts French = new()
    {
        Lang = "fr", BackToStatus = "Retour à l’état du cours", Colon = "\u00A0: ", Utc = "UTC", Nothing = "Rien n’a été modifié.",
        StatusTitle = "état", StatusIntro = "Cours {0}, au {1} UTC\u00A0: {2} stagiaire(s) retenu(s). Survolez une case ou donnez-lui le focus pour sa raison\u00A0; suivez-la pour voir le message (et l’envoyer en test).",
        SettingsLink = "Réglages et textes de ce cours", State = "État", AnyState = "tous", Initial = "Initiale du nom", ActiveOnly = "Actifs seulement",
        HideEmpty = "Masquer les signaux sans rien à montrer", Filter = "Filtrer", GridLabel = "Stagiaires et signaux", Learner = "Stagiaire", Totals = "Totaux",
        AnchorOf = "jour de référence {0}", AskedBy = ", demandé par {0}", CellLabel = "{0} – {1}\u00A0: {2}. Voir le message", SendAgain = "renvoyer", SendAgainLabel = "Renvoyer le message «\u00A0{0}\u00A0» à {1}",
        Pages = "Pages", PageOf = "Page {0} sur {1}.", PreviousPage = "Page précédente", NextPage = "Page suivante",
        PreviewTitle = "Aperçu du message", PreviewAbout = "Stagiaire {0}, message «\u00A0{1}\u00A0»\u00A0: {2}. Langue\u00A0: {3}. Cette page n’envoie rien.",
        Subject = "Objet", HtmlPart = "Partie HTML du message", TextPart = "Partie texte", SendTest = "L’envoyer en test", TestAddress = "Adresse où envoyer le test",
        SendTestButton = "Envoyer un test", TestSent = "Test envoyé", TestSentText = "Le message «\u00A0{0}\u00A0» du stagiaire {1} a été envoyé à {2}, marqué [Test]. L’état d’aucun stagiaire n’a changé.", NoTestSent = "Aucun test envoyé",
        ResendQuestion = "Renvoyer ce message\u00A0?", ResendWent = "Le message «\u00A0{0}\u00A0» est parti pour {1} le {2} UTC.",
        ResendExplain = "Le renvoyer\u00A0? Il part une fois, au prochain passage (à l’heure d’envoi du stagiaire, hors heures de silence), avec les textes du cours tels qu’ils seront alors. La demande est enregistrée avec son auteur.",
        ResendYes = "Oui, le renvoyer", ResendNo = "Non, retour à l’état du cours", AlreadyAsked = "Déjà demandé",
        AlreadyAskedText = "Le renvoi de ce message «\u00A0{0}\u00A0» est déjà demandé et il n’est pas encore parti\u00A0: rien de plus n’a été enregistré.",
        Asked = "Renvoi demandé", AskedText = "Le message «\u00A0{0}\u00A0» repartira au prochain passage. Enregistré\u00A0: demandé par {1} le {2} UTC.",
        NothingToResend = "Rien à renvoyer",
        NothingToResendText = "Ce message «\u00A0{0}\u00A0» n’est pas, ou plus, un message parti\u00A0: son renvoi est peut-être déjà demandé, ou la situation du stagiaire a changé. Rien n’a été modifié\u00A0; l’état du cours montre où il en est.",
        OverviewTitle = "Vue d’ensemble du site", OverviewPeriod = "Du {0} au {1} UTC.", Intake = "Réception des données", LastEvent = "Dernier évènement de Moodle",
        LastSync = "Dernière synchronisation", PoisonedSends = "Envois en quarantaine", Courses = "Cours", CourseColumn = "Cours", SentColumn = "Envoyés",
        FailedColumn = "Échecs", DueColumn = "À envoyer", PoisonedColumn = "En quarantaine", StatusLink = "état", Never = "jamais",
        CannotOpen = "Ce lien ne peut pas ouvrir le cours", Refused = "Accès refusé",
        OpenFromMoodle = "Les pages de ce cours s’ouvrent depuis le cours dans Moodle (bloc CourseNotification)\u00A0: votre session pour ce cours a expiré ou n’a jamais été ouverte.",
        NotPermitted = "Votre accès à ce cours depuis Moodle ne permet pas de faire cela.",
        TeachersHint = "Enseignants\u00A0: ouvrez cette page depuis le cours dans Moodle (bloc CourseNotification).",
        Refusals = new Dictionary<GrantRefusal, string>
        {
            [GrantRefusal.Missing] = "Ce lien ne porte aucune autorisation.",
            [GrantRefusal.Malformed] = "L’autorisation de ce lien n’est pas de celles que fait Moodle.",
            [GrantRefusal.NoSecret] = "Ce service n’a pas de secret Moodle configuré (Moodle__WebhookSecrets)\u00A0: il ne peut pas vérifier les liens de Moodle.",
            [GrantRefusal.OtherService] = "Ce lien ne peut pas servir\u00A0: il est destiné à un autre service.",
            [GrantRefusal.OtherSite] = "Ce lien ne peut pas servir\u00A0: il vient d’un autre site Moodle.",
            [GrantRefusal.WrongSignature] = "Ce lien ne peut pas servir\u00A0: sa signature ne correspond pas au secret Moodle de ce service.",
            [GrantRefusal.NotHs256] = "Ce lien ne peut pas servir\u00A0: il n’est pas signé en HS256.",
            [GrantRefusal.Invalid] = "Ce lien ne peut pas servir\u00A0: ce n’est pas une autorisation valide.",
            [GrantRefusal.NoTimes] = "Ce lien ne peut pas servir\u00A0: son autorisation n’a pas d’heure d’émission ou d’expiration.",
            [GrantRefusal.LivesTooLong] = "Ce lien ne peut pas servir\u00A0: son autorisation vivrait plus de 10 minutes.",
            [GrantRefusal.Expired] = "Ce lien a expiré\u00A0: revenez au cours dans Moodle et suivez de nouveau le lien.",
            [GrantRefusal.FromTheFuture] = "Ce lien ne peut pas servir\u00A0: il a été émis dans le futur (vérifiez les horloges de Moodle et de ce service).",
            [GrantRefusal.OtherCourse] = "Ce lien est pour un autre cours.",
            [GrantRefusal.NoUser] = "Ce lien ne peut pas servir\u00A0: son autorisation ne nomme aucun utilisateur Moodle.",
            [GrantRefusal.NoView] = "Ce lien ne vous permet pas de consulter ce cours.",
            [GrantRefusal.NoId] = "Ce lien ne peut pas servir\u00A0: son autorisation n’a pas d’identifiant.",
            [GrantRefusal.AlreadyUsed] = "Ce lien a déjà servi\u00A0: revenez au cours dans Moodle et suivez de nouveau le lien.",
        },
        SignalNames = new Dictionary<string, string>
        {
            ["welcome"] = "Bienvenue", ["firstcall"] = "Première relance (jamais venu)", ["secondcall"] = "Deuxième relance (jamais venu)", ["end15"] = "Fin d’accès dans 15 jours",
            ["end7"] = "Fin d’accès dans 7 jours", ["end5"] = "Fin d’accès dans 5 jours", ["end3"] = "Fin d’accès dans 3 jours", ["end1"] = "Dernier jour d’accès",
            ["closed"] = "Accès terminé", ["completed"] = "Formation achevée", ["inactive"] = "Inactivité",
        },
        Languages = new Dictionary<string, string> { ["fr"] = "français", ["en"] = "anglais" },
        States = new Dictionary<DecisionState, string>
        {
            [DecisionState.Sent] = "envoyé", [DecisionState.Due] = "à envoyer", [DecisionState.Scheduled] = "prévu", [DecisionState.Superseded] = "remplacé",
            [DecisionState.Missed] = "manqué", [DecisionState.Failed] = "échec", [DecisionState.Disabled] = "désactivé", [DecisionState.NotApplicable] = "sans objet",
        },
        ReasonWords = new Dictionary<string, string>
        {
            [Reasons.PlatformOff] = "plateforme désactivée",
            [Reasons.CourseOff] = "notifications du cours désactivées",
            [Reasons.SignalOff] = "signal désactivé",
            [Reasons.CourseHidden] = "cours caché",
            [Reasons.LearnerUnknown] = "stagiaire inconnu (aucun profil reçu de Moodle pour l’instant)",
            [Reasons.Suspended] = "stagiaire suspendu",
            [Reasons.OptedOut] = "stagiaire désabonné",
            [Reasons.NoActiveEnrolment] = "aucune inscription active",
            [Reasons.NotALearner] = "n’est pas stagiaire",
            [Reasons.NoStart] = "aucune date de début connue",
            [Reasons.Claimed] = "en cours d’envoi (réservé)",
            [Reasons.Queued] = "en file d’attente, au rythme permis par le fournisseur",
            [Reasons.Accessed] = "déjà venu dans le cours",
            [Reasons.Completed] = "formation achevée",
            [Reasons.NotCompleted] = "formation non achevée",
            [Reasons.ActivityNotCompleted] = "activité non achevée",
            [Reasons.NoEndDate] = "pas de date de fin",
            [Reasons.AccessEnded] = "accès terminé",
            [Reasons.AccessEndsFirst] = "l’accès se termine avant l’envoi",
            [Reasons.CourseNotStarted] = "cours pas encore commencé",
            [Reasons.NeverAccessedCallsCover] = "jamais venu\u00A0: la première et la deuxième relance s’en chargent",
            [Reasons.WaitsForItsDay] = "attend son jour et l’heure d’envoi",
            [Reasons.DueNow] = "à envoyer",
            [Reasons.MissedWindow] = "pas envoyé dans son délai de rattrapage",
            [Reasons.SupersededBySecondCall] = "remplacé par la deuxième relance",
            [Reasons.SupersededByNearer] = "remplacé par un rappel de fin plus proche",
            [Reasons.NextAlertOfSpell] = "prochaine alerte de cette période d’inactivité",
            [Reasons.LastAlertOfSpellSent] = "toutes les alertes de cette période d’inactivité sont parties",
            [Reasons.CallRecentlySent] = "une relance est partie il y a moins que le délai d’inactivité",
            [Reasons.AskedAgain] = "renvoi demandé",
            [Reasons.SentAgain] = "renvoyé sur demande",
            [Reasons.CampaignOff] = "campagne de questionnaire désactivée",
            [Reasons.Answered] = "a répondu au questionnaire",
            [Reasons.InvitationNotSent] = "attend le départ de l’invitation au questionnaire",
            [Reasons.SupersededByLaterReminder] = "remplacé par une relance de questionnaire plus tardive",
        },
    };
}
