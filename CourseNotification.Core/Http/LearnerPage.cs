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
        var html = $"""
            <!doctype html>
            <html lang="{lang}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{encode.Encode(title)} – {encode.Encode(siteName)}</title>
            <style>
            body{"{"}margin:0;padding:24px 16px;background:#f3f4f6;font-family:Arial,Helvetica,sans-serif;font-size:17px;line-height:1.5;color:#1f2937{"}"}
            main{"{"}max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:24px{"}"}
            h1{"{"}font-size:1.4em;margin:0 0 16px{"}"}
            button{"{"}font:inherit;background:#1d4ed8;color:#fff;border:0;border-radius:6px;padding:12px 20px;cursor:pointer{"}"}
            button:focus{"{"}outline:3px solid #93c5fd;outline-offset:2px{"}"}
            .site{"{"}color:#6b7280;font-size:.85em;margin:0 0 12px{"}"}
            </style>
            </head>
            <body><main><p class="site">{encode.Encode(siteName)}</p><h1>{encode.Encode(title)}</h1>{body}</main></body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
