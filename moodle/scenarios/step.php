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
 * One scenario step through Moodle's own APIs (so the real events fire): php step.php --action=A --course=ID --user=ID|--users=1,2 [...]. Actions: enrol [--start=UNIX|--startdays=N] [--end=UNIX|--enddays=N] [--role=student]; update [--start] [--end] [--startdays] [--enddays] [--status=active|suspended]; suspend; unsuspend; unenrol; view [--cmid=ID]; complete --cmid=ID; profile [--lang] [--timezone] [--firstname] [--suspended=0|1]; deleteuser; disablemethod; enablemethod; courseupdate [--enddays] [--visible=0|1]; deletecourse. Prints Moodle's truth for the people and course touched afterwards.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/lib.php');

require_once($CFG->dirroot . '/user/lib.php');
require_once($CFG->dirroot . '/course/lib.php');
require_once($CFG->libdir . '/completionlib.php');
require_once($CFG->dirroot . '/mod/page/lib.php');

scenario_run(function () {
    global $DB, $CFG;
    $o = scenario_options(['action' => '', 'course' => 0, 'user' => 0, 'users' => '', 'start' => null, 'end' => null,
        'startdays' => null, 'enddays' => null, 'role' => 'student', 'status' => null, 'cmid' => 0, 'lang' => null,
        'timezone' => null, 'firstname' => null, 'suspended' => null, 'visible' => null, 'method' => 'manual']);
    $now = time();
    $courseid = (int) $o['course'];
    $userids = $o['users'] !== '' ? array_map('intval', explode(',', $o['users'])) : ($o['user'] ? [(int) $o['user']] : []);
    $time = function (?string $abs, ?string $days) use ($now): ?int {
        return $abs !== null ? (int) $abs : ($days !== null ? $now + (int) round((float) $days * DAYSECS) : null);
    };
    $start = $time($o['start'], $o['startdays']);
    $end = $time($o['end'], $o['enddays']);
    $instance = $courseid ? $DB->get_record('enrol', ['courseid' => $courseid, 'enrol' => $o['method']]) : null;
    $plugin = enrol_get_plugin($o['method']);
    $admin = get_admin();
    $started = microtime(true);

    switch ($o['action']) {
        case 'enrol':
            $roleid = $DB->get_field('role', 'id', ['shortname' => $o['role']], MUST_EXIST);
            foreach ($userids as $userid) {
                $plugin->enrol_user($instance, $userid, $roleid, $start ?? 0, $end ?? 0);
            }
            break;
        case 'update':
        case 'suspend':
        case 'unsuspend':
            $status = match ($o['action']) {
                'suspend' => ENROL_USER_SUSPENDED,
                'unsuspend' => ENROL_USER_ACTIVE,
                default => $o['status'] === null ? null : ($o['status'] === 'suspended' ? ENROL_USER_SUSPENDED : ENROL_USER_ACTIVE),
            };
            foreach ($userids as $userid) {
                $plugin->update_user_enrol($instance, $userid, $status, $start, $end);
            }
            break;
        case 'unenrol':
            foreach ($userids as $userid) {
                $plugin->unenrol_user($instance, $userid);
            }
            break;
        case 'view':
            $course = get_course($courseid);
            foreach ($userids as $userid) {
                \core\session\manager::set_user($DB->get_record('user', ['id' => $userid]));
                $context = context_course::instance($courseid);
                course_view($context);
                user_accesstime_log($courseid);
                if ($o['cmid']) {
                    $cm = get_coursemodule_from_id('page', (int) $o['cmid'], $courseid, false, MUST_EXIST);
                    page_view($DB->get_record('page', ['id' => $cm->instance]), $course, $cm, context_module::instance($cm->id));
                }
            }
            \core\session\manager::set_user($admin);
            break;
        case 'complete':
            $course = get_course($courseid);
            $cm = get_coursemodule_from_id('page', (int) $o['cmid'], $courseid, false, MUST_EXIST);
            foreach ($userids as $userid) {
                \core\session\manager::set_user($DB->get_record('user', ['id' => $userid]));
                (new completion_info($course))->update_state($cm, COMPLETION_COMPLETE);
            }
            \core\session\manager::set_user($admin);
            break;
        case 'profile':
            foreach ($userids as $userid) {
                $changes = ['id' => $userid];
                foreach (['lang', 'timezone', 'firstname', 'suspended'] as $field) {
                    if ($o[$field] !== null) {
                        $changes[$field] = $o[$field];
                    }
                }
                user_update_user((object) $changes, false, true);
            }
            break;
        case 'deleteuser':
            foreach ($userids as $userid) {
                delete_user($DB->get_record('user', ['id' => $userid], '*', MUST_EXIST));
            }
            break;
        case 'disablemethod':
        case 'enablemethod':
            $plugin->update_status($instance, $o['action'] === 'disablemethod' ? ENROL_INSTANCE_DISABLED : ENROL_INSTANCE_ENABLED);
            break;
        case 'courseupdate':
            $data = (object) ['id' => $courseid];
            if ($end !== null) {
                $data->startdate = (int) $DB->get_field('course', 'startdate', ['id' => $courseid]);
                $data->enddate = $end;
            }
            if ($o['visible'] !== null) {
                $data->visible = (int) $o['visible'];
            }
            update_course($data);
            break;
        case 'deletecourse':
            delete_course($courseid, false);
            break;
        default:
            throw new invalid_parameter_exception('unknown --action ' . $o['action']);
    }
    return ['action' => $o['action'], 'at' => $now, 'ms' => (int) round((microtime(true) - $started) * 1000),
        'truth' => $courseid ? scenario_truth($courseid, $userids) : ['learners' => array_map('scenario_user_truth', $userids)]];
});
