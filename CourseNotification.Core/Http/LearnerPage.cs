using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace CourseNotification.Http;

/// <summary>The frame of the pages learners see (no login, phones first, no script needed): a title, paragraphs, an optional form.</summary>
internal static class LearnerPage
{
    /// <summary>Escapes markup but leaves accented letters as they are (French pages stay readable in their source); every page uses it.</summary>
    internal static readonly HtmlEncoder Encoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    public static IResult Render(int status, string lang, string siteName, string title, IEnumerable<string> paragraphs, (string Action, string Button)? form = null)
    {
        var encode = Encoder;
        var body = string.Concat(paragraphs.Select(p => $"<p>{encode.Encode(p)}</p>"));
        if (form is { } f)
        {
            body += $"<form method=\"post\" action=\"{encode.Encode(f.Action)}\"><input type=\"hidden\" name=\"confirm\" value=\"1\"><button type=\"submit\">{encode.Encode(f.Button)}</button></form>";
        }
        return Page(status, lang, siteName, title, body);
    }

    /// <summary>A page around markup the caller built (and escaped).</summary>
    public static IResult Page(int status, string lang, string siteName, string title, string bodyHtml)
    {
        var encode = Encoder;
        var html = $"""
            <!doctype html>
            <html lang="{lang}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{encode.Encode(title)} – {encode.Encode(siteName)}</title>
            <style>{Style}</style>
            </head>
            <body><main><p class="site">{encode.Encode(siteName)}</p><h1>{encode.Encode(title)}</h1>{bodyHtml}</main></body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }

    /// <summary>Phones first: nothing wider than the screen (fieldsets may shrink, options wrap), large targets, visible focus.</summary>
    private const string Style = """
        *{box-sizing:border-box}
        body{margin:0;padding:24px 12px;background:#f3f4f6;font-family:Arial,Helvetica,sans-serif;font-size:17px;line-height:1.5;color:#1f2937}
        main{max-width:640px;margin:0 auto;background:#fff;border-radius:8px;padding:20px 16px}
        h1{font-size:1.4em;margin:0 0 16px}
        button{font:inherit;background:#1d4ed8;color:#fff;border:0;border-radius:6px;padding:12px 20px;cursor:pointer}
        button:focus,input:focus,textarea:focus,a:focus{outline:3px solid #93c5fd;outline-offset:2px}
        .site{color:#6b7280;font-size:.85em;margin:0 0 12px}
        .note{background:#eff6ff;border-radius:6px;padding:10px 12px}
        .test{background:#fef3c7;border-radius:6px;padding:10px 12px;font-weight:bold}
        fieldset,.q{min-width:0;border:0;border-top:1px solid #e5e7eb;margin:0;padding:16px 0}
        legend,.qlabel{display:block;float:left;width:100%;font-weight:bold;margin:0 0 8px;padding:0}
        legend+*,.qlabel+*{clear:both}
        .req{font-weight:normal;color:#6b7280;font-size:.9em}
        .ends{color:#4b5563;font-size:.9em;margin:0 0 8px;clear:both}
        .opts{display:flex;flex-wrap:wrap;gap:6px}
        .opts label{display:flex;align-items:center;gap:4px;border:1px solid #d1d5db;border-radius:6px;padding:8px 10px;min-width:48px}
        .nps{display:grid;grid-template-columns:repeat(6,minmax(0,1fr))}
        .nps label{flex-direction:column;justify-content:center;gap:2px;min-width:0;padding:6px 0}
        @media (min-width:520px){.nps{grid-template-columns:repeat(11,minmax(0,1fr))}}
        .course{font-weight:bold;margin:-8px 0 16px}
        .list label{display:flex;align-items:flex-start;gap:8px;padding:6px 0}
        input[type=radio],input[type=checkbox]{width:20px;height:20px;margin:0;flex:none}
        textarea{width:100%;font:inherit;padding:8px;border:1px solid #9ca3af;border-radius:6px}
        .error{color:#b91c1c;font-weight:bold;margin:0 0 8px;clear:both}
        .invalid{border-left:4px solid #b91c1c;padding-left:10px}
        .summary{border:2px solid #b91c1c;border-radius:6px;padding:10px 12px;margin:0 0 16px}
        .summary ul{margin:4px 0 0;padding-left:20px}
        """;
}
