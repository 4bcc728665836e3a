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

/**
 * Shared bootstrap and helpers for the scenario scripts (real-Moodle test tier).
 *
 * Every script prints one JSON object on stdout and exits 0, or prints {"ok": false, "error": ...} and
 * exits 1. The Moodle site is found from MOODLE_WWW (its www folder), else $SITE/www, else
 * /tmp/moodle-site/www.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

define('CLI_SCRIPT', true);

$scenariowww = getenv('MOODLE_WWW') ?: ((getenv('SITE') ?: '/tmp/moodle-site') . '/www');
require($scenariowww . '/config.php');
require_once($CFG->libdir . '/clilib.php');

/**
 * Prints a JSON object and exits.
 *
 * @param array $out
 * @param int $code
 */
function scenario_out(array $out, int $code = 0): void {
    echo json_encode($out, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRETTY_PRINT), "\n";
    exit($code);
}

/**
 * Runs the script body; any exception becomes {"ok": false, "error": ...} and exit 1.
 *
 * @param callable $body returns the array to print
 */
function scenario_run(callable $body): void {
    try {
        \core\session\manager::set_user(get_admin());
        $out = $body();
        scenario_out(['ok' => true] + $out);
    } catch (\Throwable $e) {
        scenario_out(['ok' => false, 'error' => get_class($e) . ': ' . $e->getMessage(),
            'at' => $e->getFile() . ':' . $e->getLine()], 1);
    }
}

/**
 * Options as --name=value; unknown options are an error.
 *
 * @param array $defaults
 * @return array
 */
function scenario_options(array $defaults): array {
    [$options, $unknown] = cli_get_params($defaults);
    if ($unknown) {
        scenario_out(['ok' => false, 'error' => 'unknown options: ' . implode(' ', array_keys($unknown))], 2);
    }
    return $options;
}

/**
 * Moodle's truth for a course, read straight from its tables (independently of the plugin's own
 * code), in the envelope's names: what the service should hold after applying the envelopes.
 *
 * @param int $courseid
 * @param int[]|null $userids only these people (null: everyone enrolled)
 * @return array{course: array|null, enrolments: array[], learners: array[]}
 */
function scenario_truth(int $courseid, ?array $userids = null): array {
    global $DB, $CFG;
    $course = $DB->get_record('course', ['id' => $courseid]);
    $sql = 'SELECT ue.*, e.enrol, e.status AS estatus FROM {user_enrolments} ue JOIN {enrol} e ON e.id = ue.enrolid
             WHERE e.courseid = ?';
    $params = [$courseid];
    if ($userids !== null) {
        if (!$userids) {
            $userids = [0];
        }
        [$in, $inparams] = $DB->get_in_or_equal($userids);
        $sql .= " AND ue.userid $in";
        $params = array_merge($params, $inparams);
    }
    $enrolments = [];
    $people = [];
    $ctx = $course ? context_course::instance($courseid) : null;
    foreach ($DB->get_records_sql($sql . ' ORDER BY ue.id', $params) as $ue) {
        $roles = $ctx ? array_values($DB->get_fieldset_sql('SELECT r.shortname FROM {role_assignments} ra
            JOIN {role} r ON r.id = ra.roleid WHERE ra.contextid = ? AND ra.userid = ? ORDER BY r.shortname',
            [$ctx->id, $ue->userid])) : [];
        $enrolments[] = [
            'id' => (int) $ue->id, 'courseId' => $courseid, 'learnerId' => (int) $ue->userid, 'method' => $ue->enrol,
            'status' => ($ue->status == 0 && $ue->estatus == 0) ? 'active' : 'suspended',
            'start' => (int) $ue->timestart, 'end' => (int) $ue->timeend, 'roles' => $roles,
            'lastAccess' => (int) $DB->get_field('user_lastaccess', 'timeaccess', ['userid' => $ue->userid, 'courseid' => $courseid]),
            'completedAt' => (int) $DB->get_field('course_completions', 'timecompleted',
                ['userid' => $ue->userid, 'course' => $courseid]),
        ];
        $people[(int) $ue->userid] = true;
    }
    foreach ($userids ?? [] as $id) {
        $people[(int) $id] = true;
    }
    $learners = [];
    foreach (array_keys($people) as $id) {
        $learners[] = scenario_user_truth($id);
    }
    return [
        'course' => $course ? ['id' => (int) $course->id, 'shortName' => $course->shortname, 'fullName' => $course->fullname,
            'startDate' => (int) $course->startdate, 'endDate' => (int) $course->enddate, 'visible' => (bool) $course->visible,
            'enableCompletion' => (bool) $course->enablecompletion] : null,
        'enrolments' => $enrolments,
        'learners' => $learners,
    ];
}

/**
 * One person as Moodle has them now ("deleted": true once deleted).
 *
 * @param int $userid
 * @return array
 */
function scenario_user_truth(int $userid): array {
    global $DB, $CFG;
    $u = $DB->get_record('user', ['id' => $userid]);
    if (!$u || $u->deleted) {
        return ['id' => $userid, 'deleted' => true];
    }
    // "99" is the site's zone; a forced zone wins (what core_date does, spelt out here on purpose).
    $tz = !empty($CFG->forcetimezone) && $CFG->forcetimezone != 99 ? $CFG->forcetimezone
        : ($u->timezone == 99 ? core_date::get_server_timezone() : $u->timezone);
    return ['id' => (int) $u->id, 'username' => $u->username, 'email' => $u->email, 'firstName' => $u->firstname,
        'lastName' => $u->lastname, 'lang' => $u->lang ?: $CFG->lang, 'timeZone' => core_date::normalise_timezone($tz),
        'suspended' => (bool) $u->suspended, 'deleted' => false];
}

/**
 * The outbox and delivery figures (what the status page shows).
 *
 * @return array
 */
function scenario_status(): array {
    $now = time();
    $stats = \local_coursenotification\outbox::stats($now);
    global $DB;
    // Straight from the table: the delivery ran in another process, this one's config cache is stale.
    $config = (object) $DB->get_records_menu('config_plugins', ['plugin' => 'local_coursenotification'], '', 'name, value');
    return ['outbox' => $stats, 'oldestAge' => $stats['oldest'] === null ? null : $now - $stats['oldest'],
        'lastDelivery' => (int) ($config->lastdelivery ?? 0), 'lastDeliveryCount' => (int) ($config->lastdeliverycount ?? 0),
        'deliveredTotal' => (int) ($config->deliveredtotal ?? 0), 'lastError' => (string) ($config->lasterror ?? ''),
        'lastErrorTime' => (int) ($config->lasterrortime ?? 0), 'droppedTotal' => (int) ($config->droppedtotal ?? 0),
        'droppedUnacknowledged' => (int) ($config->droppedunacknowledged ?? 0)];
}
