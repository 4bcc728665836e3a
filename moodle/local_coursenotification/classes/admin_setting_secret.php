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
 * The signing secret setting: "whsec_" + base64 of at least 16 bytes (Standard Webhooks).
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class admin_setting_secret extends \admin_setting_configpasswordunmask {
    /**
     * Refuses a secret the service could not verify with.
     *
     * @param string $data
     * @return bool|string true, or the error
     */
    public function validate($data) {
        return webhook::key((string) $data) === null ? get_string('error_badsecret', 'local_coursenotification') : true;
    }
}
