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

use core\event\base;

/**
 * Writes the events the CourseNotification service uses to the outbox.
 *
 * Registered on '*' as an internal observer (db/events.php): it runs at once, inside the database
 * transaction of the change when there is one, so the outbox row commits or rolls back with it. It
 * never sends anything itself: an ad-hoc task queued in the same transaction delivers after commit.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class observer {
    /** Events kept whatever their educational level (besides every learner-participation event). */
    public const EVENTS = [
        '\core\event\user_enrolment_created',
        '\core\event\user_enrolment_updated',
        '\core\event\user_enrolment_deleted',
        '\core\event\role_assigned',
        '\core\event\role_unassigned',
        '\core\event\course_completed',
        '\core\event\course_module_completion_updated',
        '\core\event\course_viewed',
        '\core\event\course_updated',
        '\core\event\course_deleted',
        '\core\event\enrol_instance_updated',
        '\core\event\enrol_instance_deleted',
        '\core\event\user_updated',
        '\core\event\user_deleted',
        '\core\event\user_loggedin',
    ];

    /** Events about a person rather than a course: kept when that person is enrolled in a course in scope. */
    private const USER_EVENTS = [
        '\core\event\user_updated',
        '\core\event\user_loggedin',
    ];

    /** Whether this request already queued the delivery task. */
    private static bool $queued = false;

    /**
     * Observer for every event.
     *
     * @param base $event
     */
    public static function observe(base $event): void {
        $name = $event->eventname;
        $listed = in_array($name, self::EVENTS, true);
        if (!$listed && (int) $event->edulevel !== base::LEVEL_PARTICIPATING) {
            return;
        }
        try {
            if (!scope::configured() || !self::wanted($event, $name, $listed)) {
                return;
            }
            outbox::add($event);
            if ($name === '\core\event\enrol_instance_updated' || $name === '\core\event\enrol_instance_deleted') {
                // Enabling or disabling an enrolment method changes the status of all its enrolments:
                // push the whole course's state again.
                task\push_course::queue((int) $event->courseid);
            }
            if (!self::$queued) {
                \core\task\manager::queue_adhoc_task(new task\deliver_now(), true);
                self::$queued = true;
            }
        } catch (\Throwable $e) {
            // Never break the change the user is making; the admin sees it in the debugging output.
            debugging('local_coursenotification: could not record ' . $name . ': ' . $e->getMessage(), DEBUG_DEVELOPER);
        }
    }

    /**
     * Whether an event is one the service uses, for a course or a person in scope.
     *
     * @param base $event
     * @param string $name
     * @param bool $listed
     * @return bool
     */
    private static function wanted(base $event, string $name, bool $listed): bool {
        if ($name === '\core\event\user_deleted') {
            return true; // Erasure reaches the service even once the enrolments are gone.
        }
        if (in_array($name, self::USER_EVENTS, true)) {
            $userid = (int) ($name === '\core\event\user_loggedin' ? $event->userid : $event->relateduserid);
            return scope::includes_user($userid);
        }
        if (!scope::includes_course((int) $event->courseid)) {
            return false;
        }
        if ($name === '\core\event\role_assigned' || $name === '\core\event\role_unassigned') {
            return (int) $event->contextlevel === CONTEXT_COURSE;
        }
        if ($listed) {
            return true;
        }
        // Learner participation (edulevel 2): a real person, not anonymous (anonymous feedback stays so).
        $userid = (int) $event->userid;
        return $userid > 0 && !isguestuser($userid) && empty($event->anonymous);
    }

    /**
     * For tests: lets the next event queue the delivery task again.
     */
    public static function reset(): void {
        self::$queued = false;
    }
}
