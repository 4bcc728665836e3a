using CourseNotification.Email;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Dispatch;

/// <summary>Test sends (an administrator asked for one mail, now): a provider's failure is an answer, not a crash.</summary>
public static class TestSends
{
    /// <summary>Sends at once; null when the provider took it, otherwise why not (503 when it asks to wait, 502 when it failed or refused).</summary>
    public static async Task<Refusal?> TrySendAsync(this IMailTransport transport, OutgoingMail mail, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await transport.SendAsync(mail, cancellationToken);
            return null;
        }
        catch (MailThrottledException throttled)
        {
            return new Refusal(503, "email", $"The mail provider is over its quota; try again in {throttled.RetryAfter.TotalSeconds:0} s.");
        }
        catch (MailRejectedException)
        {
            return new Refusal(502, "email", "The mail provider refused this mail (its reason may name the address: see the provider's logs).");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The exception's text may carry the relay's words about the recipient: the type only.
            logger.LogWarning("Test send failed at the mail provider: {Failure}", e.GetType().Name);
            return new Refusal(502, "email", "The mail provider could not be reached or failed; nothing was sent. Check the Email__* settings and try again.");
        }
    }
}
