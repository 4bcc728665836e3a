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

namespace local_coursenotification\task;

use local_coursenotification\backfill;

/**
 * Pushes the whole state of one course (state-only envelopes, in pages), e.g. after an enrolment
 * method was enabled or disabled, which changes the status of all its enrolments at once.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class push_course extends \core\task\adhoc_task {
    /**
     * Queues a push of a course (once: an identical pending task is not queued again).
     *
     * @param int $courseid
     */
    public static function queue(int $courseid): void {
        $task = new self();
        $task->set_custom_data(['courseid' => $courseid]);
        \core\task\manager::queue_adhoc_task($task, true);
    }

    /**
     * Name shown to administrators.
     *
     * @return string
     */
    public function get_name() {
        return get_string('task_push_course', 'local_coursenotification');
    }

    /**
     * Runs the task; a failed page throws, so Moodle retries the task with its own backoff.
     */
    public function execute() {
        $courseid = (int) ($this->get_custom_data()->courseid ?? 0);
        $result = (new backfill('mtrace'))->push_course($courseid);
        if (!$result['ok']) {
            throw new \moodle_exception('error_push', 'local_coursenotification', '', $result['error']);
        }
    }
}
