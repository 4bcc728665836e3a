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
 * Web service functions and the service that groups them for CourseNotification's pull sync.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$functions = [
    'local_coursenotification_get_course_state' => [
        'classname'    => '\local_coursenotification\external\get_course_state',
        'description'  => 'The state of one course, paged by enrolment: the course, its enrolments (method, '
            . 'status, start, end, roles, last access, completion) and their users (names, email, language, '
            . 'resolved time zone, suspension).',
        'type'         => 'read',
        // Opening any course (the function validates the course context): course:view and viewhiddencourses.
        'capabilities' => 'local/coursenotification:viewstate, moodle/course:view, moodle/course:viewhiddencourses',
        'ajax'         => false,
    ],
];

$services = [
    'CourseNotification' => [
        'shortname'       => 'local_coursenotification',
        'functions'       => [
            'local_coursenotification_get_course_state',
            // What the service's pull sync falls back to, and its connection check.
            'core_webservice_get_site_info',
            'core_course_get_courses',
            'core_enrol_get_enrolled_users',
            'core_completion_get_course_completion_status',
            'core_user_get_users_by_field',
        ],
        'restrictedusers' => 1,
        'enabled'         => 1,
        'downloadfiles'   => 0,
        'uploadfiles'     => 0,
    ],
];
