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
 * Callbacks.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/**
 * Site status checks (Site administration > Reports > System status).
 *
 * @return \core\check\check[]
 */
function local_coursenotification_status_checks(): array {
    return [new \local_coursenotification\check\outbox_health()];
}

/**
 * Adds "Course notifications" to a course's navigation (its More menu) for those who may open the
 * service's pages of that course; the link mints their grant when followed.
 *
 * @param navigation_node $navigation
 * @param stdClass $course
 * @param context_course $context
 */
function local_coursenotification_extend_navigation_course(navigation_node $navigation, stdClass $course, context_course $context): void {
    if ($course->id == SITEID || \local_coursenotification\course_access::service_root() === null
            || !has_capability('local/coursenotification:viewcourse', $context)) {
        return;
    }
    $navigation->add(get_string('coursenode', 'local_coursenotification'),
        new moodle_url('/local/coursenotification/enter.php', ['id' => $course->id]),
        navigation_node::TYPE_SETTING, null, 'local_coursenotification', new pix_icon('i/email', ''));
}
