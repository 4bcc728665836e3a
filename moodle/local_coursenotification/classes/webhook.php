<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

namespace local_coursenotification;

/**
 * Signs and sends an envelope the Standard Webhooks way.
 *
 * Headers: webhook-id, webhook-timestamp (Unix seconds), webhook-signature "v1," + base64 of
 * HMAC-SHA256("id.timestamp.body") keyed with the secret's bytes (the base64 after "whsec_").
 * HTTP goes through Moodle's curl class: the site's proxy settings and its blocked hosts and ports apply.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class webhook {
    /** Secrets are "whsec_" + base64 of this many random bytes. */
    private const SECRET_BYTES = 32;

    /**
     * A new secret, "whsec_" + base64 of 32 random bytes.
     *
     * @return string
     */
    public static function generate_secret(): string {
        return 'whsec_' . base64_encode(random_bytes(self::SECRET_BYTES));
    }

    /**
     * The key bytes of a secret, or null when it is not in the whsec_ form.
     *
     * @param string $secret
     * @return string|null
     */
    public static function key(string $secret): ?string {
        $secret = trim($secret);
        if (!str_starts_with($secret, 'whsec_')) {
            return null;
        }
        $key = base64_decode(substr($secret, 6), true);
        return $key === false || strlen($key) < 16 ? null : $key;
    }

    /**
     * The webhook-signature header value.
     *
     * @param string $key the secret's bytes
     * @param string $id
     * @param int $timestamp
     * @param string $body
     * @return string
     */
    public static function signature(string $key, string $id, int $timestamp, string $body): string {
        return 'v1,' . base64_encode(hash_hmac('sha256', $id . '.' . $timestamp . '.' . $body, $key, true));
    }

    /**
     * Posts an envelope to the configured URL.
     *
     * @param array $envelope with its "id"
     * @return response
     */
    public static function send(array $envelope): response {
        global $CFG;
        require_once($CFG->libdir . '/filelib.php');

        $url = trim((string) get_config('local_coursenotification', 'url'));
        if ($url === '') {
            return new response(false, 0, '', get_string('error_nourl', 'local_coursenotification'), 0, false);
        }
        $key = self::key((string) get_config('local_coursenotification', 'secret'));
        if ($key === null) {
            return new response(false, 0, '', get_string('error_badsecret', 'local_coursenotification'), 0, false);
        }
        $body = json_encode($envelope, outbox::JSON | JSON_THROW_ON_ERROR);
        $id = (string) $envelope['id'];
        $timestamp = time();
        $timeout = max(5, (int) (get_config('local_coursenotification', 'timeout') ?: 30));

        $curl = new \curl();
        $curl->setHeader([
            'Content-Type: application/json',
            'Accept: application/json',
            'Expect:', // No "100-continue" round trip before the body.
            'webhook-id: ' . $id,
            'webhook-timestamp: ' . $timestamp,
            'webhook-signature: ' . self::signature($key, $id, $timestamp, $body),
        ]);
        $start = microtime(true);
        $answer = $curl->post($url, $body, [
            'CURLOPT_TIMEOUT'        => $timeout,
            'CURLOPT_CONNECTTIMEOUT' => min(10, $timeout),
        ]);
        $ms = (int) round((microtime(true) - $start) * 1000);
        $status = (int) ($curl->get_info()['http_code'] ?? 0);
        $answer = is_string($answer) ? $answer : '';
        if ($status === 0) {
            // Nothing came back: connection refused, timeout, DNS, TLS, or a URL Moodle's security blocks.
            $error = $curl->error ?: ($answer !== '' ? $answer : 'no answer');
            return new response(false, 0, '', 'Connection: ' . $error, $ms, false);
        }
        $ok = $status >= 200 && $status < 300;
        // The service refuses the content (malformed, too large): retrying the same envelope will not help,
        // a smaller one may. Any other failure (401/403/404: configuration; 408/429/5xx: load or outage) is
        // the service's or the settings', and the same envelope is retried after the backoff.
        $refused = in_array($status, [400, 413, 422], true);
        $excerpt = \core_text::substr(trim($answer), 0, 500);
        $error = $ok ? '' : ($refused ? 'Refused: ' : '') . "HTTP $status: $excerpt";
        return new response($ok, $status, $answer, $error, $ms, $refused);
    }
}
