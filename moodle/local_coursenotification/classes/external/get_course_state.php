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

namespace local_coursenotification\external;

use core_external\external_api;
use core_external\external_function_parameters;
use core_external\external_multiple_structure;
use core_external\external_single_structure;
use core_external\external_value;
use local_coursenotification\backfill;
use local_coursenotification\state;

/**
 * local_coursenotification_get_course_state: the state of one course, paged by enrolment, in the same
 * shape as the envelopes' "state" (ENVELOPE.md).
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class get_course_state extends external_api {
    /** Largest page. */
    public const MAX_PER_PAGE = 1000;

    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'courseid' => new external_value(PARAM_INT, 'Course id'),
            'page'     => new external_value(PARAM_INT, 'Page, from 0', VALUE_DEFAULT, 0),
            'perpage'  => new external_value(PARAM_INT, 'Enrolments per page (1 to 1000)', VALUE_DEFAULT, 500),
        ]);
    }

    /**
     * The state of a page of a course.
     *
     * @param int $courseid
     * @param int $page
     * @param int $perpage
     * @return array
     */
    public static function execute(int $courseid, int $page = 0, int $perpage = 500): array {
        ['courseid' => $courseid, 'page' => $page, 'perpage' => $perpage] = self::validate_parameters(
            self::execute_parameters(), ['courseid' => $courseid, 'page' => $page, 'perpage' => $perpage]);
        if ($page < 0) {
            throw new \invalid_parameter_exception('page must be 0 or more');
        }
        if ($perpage < 1 || $perpage > self::MAX_PER_PAGE) {
            throw new \invalid_parameter_exception('perpage must be between 1 and ' . self::MAX_PER_PAGE);
        }
        if ($courseid <= SITEID) {
            throw new \invalid_parameter_exception('courseid must be a course, not the site');
        }
        $context = \context_course::instance($courseid); // Throws for an unknown course.
        self::validate_context($context);
        require_capability('local/coursenotification:viewstate', $context);

        $total = state::count_enrolments($courseid);
        $state = backfill::page_state($courseid, $page, $perpage);
        return [
            'course'     => $state['courses'][0],
            'learners'   => $state['learners'],
            'enrolments' => $state['enrolments'],
            'page'       => $page,
            'perpage'    => $perpage,
            'total'      => $total,
            'hasmore'    => ($page + 1) * $perpage < $total,
            'sitetimezone' => \core_date::get_server_timezone(),
        ];
    }

    /**
     * Return structure.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'course' => new external_single_structure([
                'id'               => new external_value(PARAM_INT, 'Course id'),
                'shortName'        => new external_value(PARAM_RAW, 'Short name'),
                'fullName'         => new external_value(PARAM_RAW, 'Full name'),
                'idNumber'         => new external_value(PARAM_RAW, 'ID number'),
                'url'              => new external_value(PARAM_URL, 'Course page'),
                'startDate'        => new external_value(PARAM_INT, 'Start, Unix seconds'),
                'endDate'          => new external_value(PARAM_INT, 'End, Unix seconds, 0 = none'),
                'visible'          => new external_value(PARAM_BOOL, 'Visible to learners'),
                'enableCompletion' => new external_value(PARAM_BOOL, 'Completion tracking on'),
                'lang'             => new external_value(PARAM_RAW, 'Forced language, "" = none'),
                'categoryId'       => new external_value(PARAM_INT, 'Category id'),
                'timeModified'     => new external_value(PARAM_INT, 'Last change, Unix seconds'),
            ]),
            'learners' => new external_multiple_structure(new external_single_structure([
                'id'              => new external_value(PARAM_INT, 'User id'),
                'username'        => new external_value(PARAM_RAW, 'Username'),
                'email'           => new external_value(PARAM_RAW, 'Email'),
                'firstName'       => new external_value(PARAM_RAW, 'First name'),
                'lastName'        => new external_value(PARAM_RAW, 'Last name'),
                'idNumber'        => new external_value(PARAM_RAW, 'ID number'),
                'lang'            => new external_value(PARAM_RAW, 'Language (the site\'s when the user has none)'),
                'timeZone'        => new external_value(PARAM_RAW, 'Time zone, resolved (IANA name)'),
                'timeZoneSetting' => new external_value(PARAM_RAW, 'Time zone as stored ("99" = the site\'s)'),
                'suspended'       => new external_value(PARAM_BOOL, 'Account suspended'),
                'deleted'         => new external_value(PARAM_BOOL, 'Always false here'),
                'auth'            => new external_value(PARAM_RAW, 'Authentication method'),
                'firstAccess'     => new external_value(PARAM_INT, 'First access to the site, 0 = never'),
                'lastAccess'      => new external_value(PARAM_INT, 'Last access to the site, 0 = never'),
                'lastLogin'       => new external_value(PARAM_INT, 'Last login, 0 = never'),
            ])),
            'enrolments' => new external_multiple_structure(new external_single_structure([
                'id'              => new external_value(PARAM_INT, 'User enrolment id'),
                'courseId'        => new external_value(PARAM_INT, 'Course id'),
                'learnerId'       => new external_value(PARAM_INT, 'User id'),
                'enrolId'         => new external_value(PARAM_INT, 'Enrolment instance id'),
                'method'          => new external_value(PARAM_RAW, 'Enrolment plugin (manual, self, cohort...)'),
                'status'          => new external_value(PARAM_ALPHA, 'active or suspended (enrolment or method disabled)'),
                'userSuspended'   => new external_value(PARAM_BOOL, 'The enrolment itself is suspended'),
                'instanceEnabled' => new external_value(PARAM_BOOL, 'The enrolment method is enabled in the course'),
                'start'           => new external_value(PARAM_INT, 'Start, Unix seconds, 0 = none'),
                'end'             => new external_value(PARAM_INT, 'End, Unix seconds, 0 = none'),
                'timeCreated'     => new external_value(PARAM_INT, 'Created, Unix seconds'),
                'timeModified'    => new external_value(PARAM_INT, 'Last change, Unix seconds'),
                'roles'           => new external_multiple_structure(new external_value(PARAM_RAW, 'Role short name'),
                    'Roles in the course context'),
                'lastAccess'      => new external_value(PARAM_INT, 'Last access to the course, 0 = never'),
                'completedAt'     => new external_value(PARAM_INT, 'Course completion, 0 = not completed'),
            ])),
            'page'         => new external_value(PARAM_INT, 'Page returned'),
            'perpage'      => new external_value(PARAM_INT, 'Page size'),
            'total'        => new external_value(PARAM_INT, 'Enrolments in the course'),
            'hasmore'      => new external_value(PARAM_BOOL, 'Whether a next page exists'),
            'sitetimezone' => new external_value(PARAM_RAW, 'The site\'s time zone'),
        ]);
    }
}
