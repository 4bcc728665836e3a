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

use Firebase\JWT\JWT;

/**
 * A teacher's way from a course to the service's pages for that course, and the counts the block shows.
 *
 * The grant is a JWT (HS256, keyed with the bytes of the plugin's whsec_ secret, as the service's
 * Moodle__WebhookSecrets holds it): iss this site, aud "coursenotification", course, sub (user id), name,
 * perms (view, settings, test: from the user's capabilities in the course), lang, iat, exp (a few minutes),
 * jti (random; the service takes each grant once). The counts are asked with a POST signed like the
 * webhooks (Standard Webhooks), and cached for a minute.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class course_access {
    /** The audience the service expects. */
    public const AUDIENCE = 'coursenotification';

    /** Seconds a grant lives: minted when the link is followed, redeemed at once (the service refuses more than 10 minutes). */
    public const GRANT_SECONDS = 300;

    /** Seconds the block waits for the counts before showing the link alone. */
    private const COUNTS_TIMEOUT = 5;

    /**
     * The service's root URL, from the Service URL setting (what comes before /api/moodle/events, without the query).
     *
     * @return string|null null when no URL is set
     */
    public static function service_root(): ?string {
        $url = trim((string) get_config('local_coursenotification', 'url'));
        if ($url === '') {
            return null;
        }
        $url = preg_replace('/[?#].*$/', '', $url);
        $at = strpos($url, '/api/moodle/events');
        return rtrim($at === false ? $url : substr($url, 0, $at), '/');
    }

    /**
     * What the user may do on the service's pages for this course, from their capabilities there.
     *
     * @param \context_course $context
     * @param int|null $userid null: the current user
     * @return string[] empty when they may not open them at all
     */
    public static function permissions(\context_course $context, ?int $userid = null): array {
        if (!has_capability('local/coursenotification:viewcourse', $context, $userid)) {
            return [];
        }
        return has_capability('local/coursenotification:managecourse', $context, $userid) ? ['view', 'settings', 'test'] : ['view'];
    }

    /**
     * A grant for this user on this course.
     *
     * @param int $courseid
     * @param \stdClass $user
     * @param string[] $perms
     * @param int|null $now Unix time (tests)
     * @return string the JWT
     */
    public static function grant(int $courseid, \stdClass $user, array $perms, ?int $now = null): string {
        global $CFG;
        $key = webhook::key((string) get_config('local_coursenotification', 'secret'));
        if ($key === null) {
            throw new \moodle_exception('error_badsecret', 'local_coursenotification');
        }
        $now = $now ?? time();
        $payload = [
            'iss'    => $CFG->wwwroot,
            'aud'    => self::AUDIENCE,
            'sub'    => (string) $user->id,
            'course' => $courseid,
            'name'   => fullname($user),
            'perms'  => array_values($perms),
            'lang'   => current_language(),
            'iat'    => $now,
            'exp'    => $now + self::GRANT_SECONDS,
            'jti'    => bin2hex(random_bytes(16)),
        ];
        return JWT::encode($payload, $key, 'HS256');
    }

    /**
     * Where the link takes the user: the service's door for the course, with a fresh grant.
     *
     * @param int $courseid
     * @param \stdClass $user
     * @param string[] $perms
     * @return string
     */
    public static function enter_url(int $courseid, \stdClass $user, array $perms): string {
        $root = self::service_root();
        if ($root === null) {
            throw new \moodle_exception('error_nourl', 'local_coursenotification');
        }
        return $root . '/courses/' . $courseid . '/enter?grant=' . rawurlencode(self::grant($courseid, $user, $perms));
    }

    /**
     * The counts per signal for a course, from the cache or the service.
     *
     * @param int $courseid
     * @return array ['signals' => [['signal', 'due', 'scheduledThisWeek', 'sent', 'failed', 'dueNames'], ...]] or ['error' => text]
     */
    public static function counts(int $courseid): array {
        $cache = \cache::make('local_coursenotification', 'counts');
        $cached = $cache->get($courseid);
        if ($cached !== false) {
            return $cached;
        }
        $counts = self::fetch_counts($courseid);
        // Failures are kept as briefly as answers: a service that is down does not slow every course page.
        $cache->set($courseid, $counts);
        return $counts;
    }

    /**
     * Asks the service for a course's counts (a signed POST).
     *
     * @param int $courseid
     * @return array
     */
    public static function fetch_counts(int $courseid): array {
        global $CFG;
        require_once($CFG->libdir . '/filelib.php');
        $root = self::service_root();
        $key = webhook::key((string) get_config('local_coursenotification', 'secret'));
        if ($root === null || $key === null) {
            return ['error' => get_string($root === null ? 'error_nourl' : 'error_badsecret', 'local_coursenotification')];
        }
        $body = json_encode(['course' => $courseid]);
        $id = 'msg_counts_' . bin2hex(random_bytes(8));
        $timestamp = time();
        $curl = new \curl();
        $curl->setHeader([
            'Content-Type: application/json',
            'Accept: application/json',
            'webhook-id: ' . $id,
            'webhook-timestamp: ' . $timestamp,
            'webhook-signature: ' . webhook::signature($key, $id, $timestamp, $body),
        ]);
        $answer = $curl->post($root . '/api/courses/' . $courseid . '/counts', $body, [
            'CURLOPT_TIMEOUT'        => self::COUNTS_TIMEOUT,
            'CURLOPT_CONNECTTIMEOUT' => self::COUNTS_TIMEOUT,
        ]);
        $status = (int) ($curl->get_info()['http_code'] ?? 0);
        if ($status === 404) {
            return ['error' => get_string('block_notknown', 'local_coursenotification')];
        }
        $json = is_string($answer) ? json_decode($answer, true) : null;
        if ($status !== 200 || !is_array($json) || !isset($json['signals']) || !is_array($json['signals'])) {
            return ['error' => get_string('block_unreachable', 'local_coursenotification', $status ?: ($curl->error ?: '-'))];
        }
        return ['signals' => $json['signals']];
    }
}
