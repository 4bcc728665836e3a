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
 * What the service answered to one envelope.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class response {
    /**
     * Constructor.
     *
     * @param bool $ok 2xx: accepted
     * @param int $status HTTP status, 0 when nothing came back
     * @param string $body the answer's body
     * @param string $error why it failed ("" when ok)
     * @param int $ms duration in milliseconds
     * @param bool $refused 400, 413 or 422: the service refuses the content (retrying it as is will not help)
     */
    public function __construct(
        public readonly bool $ok,
        public readonly int $status,
        public readonly string $body,
        public readonly string $error,
        public readonly int $ms,
        public readonly bool $refused,
    ) {
    }
}
