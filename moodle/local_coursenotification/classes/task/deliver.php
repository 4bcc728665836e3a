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
use local_coursenotification\outbox;

/**
 * Every minute: delivers what is due in the outbox (retries included) and applies the age bound.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class deliver extends \core\task\scheduled_task {
    /**
     * Name shown to administrators.
     *
     * @return string
     */
    public function get_name() {
        return get_string('task_deliver', 'local_coursenotification');
    }

    /**
     * Runs the task.
     */
    public function execute() {
        $dropped = outbox::enforce_age(time());
        if ($dropped) {
            mtrace("local_coursenotification: WARNING: $dropped outbox events older than the age bound were removed "
                . "undelivered; the status page shows it until acknowledged. Run cli/backfill.php once the service is back.");
        }
        $result = (new delivery('mtrace'))->run(50);
        mtrace("local_coursenotification: {$result['delivered']} events delivered in {$result['envelopes']} envelopes, "
            . "{$result['failures']} failed attempts.");
    }
}
