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

namespace local_coursenotification\check;

use core\check\result;
use local_coursenotification\outbox;

/**
 * Site status check (Site administration > Reports > System status): the outbox is draining, and no
 * undelivered event was removed by the age bound without an administrator acknowledging it.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class outbox_health extends \core\check\check {
    /**
     * Short name.
     *
     * @return string
     */
    public function get_name(): string {
        return get_string('check_outbox', 'local_coursenotification');
    }

    /**
     * Link to the status page.
     *
     * @return \action_link|null
     */
    public function get_action_link(): ?\action_link {
        return new \action_link(new \moodle_url('/local/coursenotification/status.php'),
            get_string('statuspage', 'local_coursenotification'));
    }

    /**
     * The result.
     *
     * @return result
     */
    public function get_result(): result {
        $plugin = 'local_coursenotification';
        if (!\local_coursenotification\scope::configured()) {
            return new result(result::NA, get_string('check_notconfigured', $plugin));
        }
        $dropped = (int) get_config($plugin, 'droppedunacknowledged');
        if ($dropped > 0) {
            return new result(result::ERROR, get_string('check_dropped', $plugin, $dropped));
        }
        $now = time();
        $stats = outbox::stats($now);
        if ($stats['oldest'] !== null && $now - $stats['oldest'] > HOURSECS) {
            return new result(result::WARNING, get_string('check_backlog', $plugin,
                ['count' => $stats['total'], 'age' => format_time($now - $stats['oldest'])]));
        }
        return new result(result::OK, get_string('check_ok', $plugin, $stats['total']));
    }
}
