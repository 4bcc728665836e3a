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
 * Which courses and people the plugin reports on, and whether it is configured at all.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class scope {
    /**
     * Whether events are recorded: a service URL is set.
     *
     * @return bool
     */
    public static function configured(): bool {
        return trim((string) get_config('local_coursenotification', 'url')) !== '';
    }

    /**
     * The course ids chosen in the settings, or null for every course.
     *
     * @return int[]|null
     */
    public static function course_ids(): ?array {
        $setting = trim((string) get_config('local_coursenotification', 'courses'));
        if ($setting === '') {
            return null;
        }
        $ids = array_values(array_unique(array_filter(array_map('intval', preg_split('/[\s,]+/', $setting)))));
        return $ids;
    }

    /**
     * Whether a course is reported on (never the site course).
     *
     * @param int $courseid
     * @return bool
     */
    public static function includes_course(int $courseid): bool {
        if ($courseid <= SITEID) {
            return false;
        }
        $ids = self::course_ids();
        return $ids === null || in_array($courseid, $ids, true);
    }

    /**
     * Whether a person is reported on: enrolled (any status) in a course in scope.
     *
     * @param int $userid
     * @return bool
     */
    public static function includes_user(int $userid): bool {
        global $DB;
        if ($userid <= 0 || isguestuser($userid)) {
            return false;
        }
        $ids = self::course_ids();
        $sql = "SELECT 1
                  FROM {user_enrolments} ue
                  JOIN {enrol} e ON e.id = ue.enrolid
                 WHERE ue.userid = :userid AND e.courseid <> :siteid";
        $params = ['userid' => $userid, 'siteid' => SITEID];
        if ($ids !== null) {
            [$insql, $inparams] = $DB->get_in_or_equal($ids, SQL_PARAMS_NAMED, 'c');
            $sql .= " AND e.courseid $insql";
            $params += $inparams;
        }
        return $DB->record_exists_sql($sql, $params);
    }

    /**
     * Every course in scope, by id.
     *
     * @return int[]
     */
    public static function all_course_ids(): array {
        global $DB;
        $ids = self::course_ids();
        if ($ids === null) {
            return array_map('intval', $DB->get_fieldset_select('course', 'id', 'id <> :siteid ORDER BY id', ['siteid' => SITEID]));
        }
        [$insql, $params] = $DB->get_in_or_equal($ids, SQL_PARAMS_NAMED);
        return array_map('intval', $DB->get_fieldset_select('course', 'id', "id $insql ORDER BY id", $params));
    }
}
