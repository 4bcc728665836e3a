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

use local_coursenotification\delivery;

/**
 * Queued by the observer in the transaction of the change: delivers soon after commit, without waiting
 * for the scheduled task. Failures are not the task's: the rows keep their backoff and the scheduled
 * task retries them.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class deliver_now extends \core\task\adhoc_task {
    /**
     * Name shown to administrators.
     *
     * @return string
     */
    public function get_name() {
        return get_string('task_deliver_now', 'local_coursenotification');
    }

    /**
     * Runs the task.
     */
    public function execute() {
        $result = (new delivery('mtrace'))->run(50);
        mtrace("local_coursenotification: {$result['delivered']} events delivered in {$result['envelopes']} envelopes.");
    }
}
