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
 * The current state of what events touch, read from Moodle's tables when an envelope is built.
 *
 * Collect with {@see add_event()} (or the static readers), then {@see build()}. The shape is the
 * service's snapshot upsert (courses, learners, enrolments, camelCase, Unix seconds, 0 = none) plus a
 * few fields it may use, and `removed` for what no longer exists. ENVELOPE.md is the reference.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class state {
    /** @var array<int, array<int, true>> course id => user ids whose enrolments in it are wanted */
    private array $pairs = [];
    /** @var array<int, true> user ids wanted */
    private array $users = [];
    /** @var array<int, true> course ids wanted */
    private array $courses = [];
    /** @var array<int, array{int, int}> enrolment id => [course id, user id], deleted per an event */
    private array $goneenrolments = [];

    /**
     * Notes what an event (its get_data(), decoded) touches.
     *
     * @param \stdClass $data
     */
    public function add_event(\stdClass $data): void {
        $name = (string) ($data->eventname ?? '');
        $short = substr($name, strrpos($name, '\\') + 1);
        $courseid = (int) ($data->courseid ?? 0);
        $userid = (int) ($data->userid ?? 0);
        $related = (int) ($data->relateduserid ?? 0);
        switch ($short) {
            case 'user_enrolment_deleted':
                $this->goneenrolments[(int) ($data->objectid ?? 0)] = [$courseid, $related];
                $this->add_pair($courseid, $related);
                break;
            case 'user_enrolment_created':
            case 'user_enrolment_updated':
            case 'role_assigned':
            case 'role_unassigned':
            case 'course_completed':
            case 'course_module_completion_updated':
                $this->add_pair($courseid, $related ?: $userid);
                break;
            case 'course_updated':
            case 'course_deleted':
            case 'enrol_instance_updated':
            case 'enrol_instance_deleted':
                $this->add_course($courseid);
                break;
            case 'user_updated':
            case 'user_deleted':
                $this->add_user($related);
                break;
            case 'user_loggedin':
                $this->add_user($userid);
                break;
            default:
                // Learner participation: the actor, in the event's course.
                $this->add_pair($courseid, $userid);
        }
    }

    /**
     * Wants one person's enrolments in one course (and the course, and the person).
     *
     * @param int $courseid
     * @param int $userid
     */
    public function add_pair(int $courseid, int $userid): void {
        if ($courseid > SITEID && $userid > 0) {
            $this->pairs[$courseid][$userid] = true;
        }
        $this->add_course($courseid);
        $this->add_user($userid);
    }

    /**
     * Wants a course.
     *
     * @param int $courseid
     */
    public function add_course(int $courseid): void {
        if ($courseid > SITEID) {
            $this->courses[$courseid] = true;
        }
    }

    /**
     * Wants a person.
     *
     * @param int $userid
     */
    public function add_user(int $userid): void {
        if ($userid > 0) {
            $this->users[$userid] = true;
        }
    }

    /**
     * Reads everything wanted, as it is now.
     *
     * @return array{courses: array, learners: array, enrolments: array, removed: array}
     */
    public function build(): array {
        [$courses, $gonecourses] = self::courses(array_keys($this->courses));
        [$learners, $goneusers] = self::users(array_keys($this->users));
        $enrolments = [];
        foreach ($this->pairs as $courseid => $users) {
            if (in_array($courseid, $gonecourses, true)) {
                continue;
            }
            array_push($enrolments, ...self::enrolments($courseid, array_keys($users)));
        }
        $present = array_flip(array_column($enrolments, 'id'));
        $goneenrolments = [];
        foreach ($this->goneenrolments as $id => [$courseid, $userid]) {
            if ($id > 0 && !isset($present[$id])) {
                $goneenrolments[] = ['id' => $id, 'courseId' => $courseid, 'learnerId' => $userid];
            }
        }
        return [
            'courses'    => $courses,
            'learners'   => $learners,
            'enrolments' => $enrolments,
            'removed'    => ['courses' => $gonecourses, 'learners' => $goneusers, 'enrolments' => $goneenrolments],
        ];
    }

    /**
     * Courses as the service's snapshot upsert names them.
     *
     * @param int[] $ids
     * @return array{0: array[], 1: int[]} the courses found, and the ids that no longer exist
     */
    public static function courses(array $ids): array {
        global $DB;
        if (!$ids) {
            return [[], []];
        }
        [$insql, $params] = $DB->get_in_or_equal($ids, SQL_PARAMS_NAMED);
        $records = $DB->get_records_select('course', "id $insql", $params, 'id',
            'id, category, fullname, shortname, idnumber, startdate, enddate, visible, enablecompletion, lang, timemodified');
        $courses = [];
        foreach ($records as $c) {
            $courses[] = [
                'id'               => (int) $c->id,
                'shortName'        => (string) $c->shortname,
                'fullName'         => (string) $c->fullname,
                'idNumber'         => (string) $c->idnumber,
                'url'              => (new \moodle_url('/course/view.php', ['id' => $c->id]))->out(false),
                'startDate'        => (int) $c->startdate,
                'endDate'          => (int) $c->enddate,
                'visible'          => (bool) $c->visible,
                'enableCompletion' => (bool) $c->enablecompletion,
                'lang'             => (string) $c->lang,
                'categoryId'       => (int) $c->category,
                'timeModified'     => (int) $c->timemodified,
            ];
        }
        $gone = array_values(array_diff(array_map('intval', $ids), array_map('intval', array_keys($records))));
        return [$courses, $gone];
    }

    /**
     * People as the service's snapshot upsert names them ("learners", teachers included).
     *
     * @param int[] $ids
     * @return array{0: array[], 1: int[]} the people found, and the ids deleted or unknown
     */
    public static function users(array $ids): array {
        global $DB, $CFG;
        if (!$ids) {
            return [[], []];
        }
        [$insql, $params] = $DB->get_in_or_equal($ids, SQL_PARAMS_NAMED);
        $records = $DB->get_records_select('user', "id $insql", $params, 'id',
            'id, username, email, firstname, lastname, idnumber, lang, timezone, suspended, deleted, auth, '
            . 'firstaccess, lastaccess, currentlogin');
        $users = [];
        $gone = [];
        foreach ($ids as $id) {
            $u = $records[$id] ?? null;
            if (!$u || $u->deleted) {
                $gone[] = (int) $id;
                continue;
            }
            if (isguestuser($u)) {
                continue;
            }
            $users[] = [
                'id'              => (int) $u->id,
                'username'        => (string) $u->username,
                'email'           => (string) $u->email,
                'firstName'       => (string) $u->firstname,
                'lastName'        => (string) $u->lastname,
                'idNumber'        => (string) $u->idnumber,
                'lang'            => (string) ($u->lang !== '' ? $u->lang : $CFG->lang),
                'timeZone'        => \core_date::get_user_timezone($u),
                'timeZoneSetting' => (string) $u->timezone,
                'suspended'       => (bool) $u->suspended,
                'deleted'         => false,
                'auth'            => (string) $u->auth,
                'firstAccess'     => (int) $u->firstaccess,
                'lastAccess'      => (int) $u->lastaccess,
                'lastLogin'       => (int) $u->currentlogin,
            ];
        }
        return [$users, $gone];
    }

    /**
     * The enrolments of some people in one course, with their roles, last access and completion.
     *
     * @param int $courseid
     * @param int[] $userids
     * @return array[]
     */
    public static function enrolments(int $courseid, array $userids): array {
        global $DB;
        if (!$userids) {
            return [];
        }
        [$insql, $params] = $DB->get_in_or_equal($userids, SQL_PARAMS_NAMED);
        $params['courseid'] = $courseid;
        $rows = $DB->get_records_sql(self::ENROLMENT_SQL . " WHERE e.courseid = :courseid AND ue.userid $insql ORDER BY ue.id",
            $params);
        return self::decorate($courseid, $rows);
    }

    /**
     * One page of a course's enrolments, by enrolment id.
     *
     * @param int $courseid
     * @param int $offset
     * @param int $limit
     * @return array[]
     */
    public static function enrolments_page(int $courseid, int $offset, int $limit): array {
        global $DB;
        $rows = $DB->get_records_sql(self::ENROLMENT_SQL . ' WHERE e.courseid = :courseid ORDER BY ue.id',
            ['courseid' => $courseid], $offset, $limit);
        return self::decorate($courseid, $rows);
    }

    /**
     * How many enrolments a course has (any status).
     *
     * @param int $courseid
     * @return int
     */
    public static function count_enrolments(int $courseid): int {
        global $DB;
        return $DB->count_records_sql('SELECT COUNT(ue.id) FROM {user_enrolments} ue JOIN {enrol} e ON e.id = ue.enrolid
                                        WHERE e.courseid = :courseid', ['courseid' => $courseid]);
    }

    /** The enrolment rows, with their instance. */
    private const ENROLMENT_SQL = 'SELECT ue.id, ue.enrolid, ue.userid, ue.status, ue.timestart, ue.timeend,
                                          ue.timecreated, ue.timemodified, e.enrol, e.status AS instancestatus
                                     FROM {user_enrolments} ue
                                     JOIN {enrol} e ON e.id = ue.enrolid';

    /**
     * Enrolment rows as the service's snapshot upsert names them, with what is per person in the course.
     *
     * @param int $courseid
     * @param \stdClass[] $rows
     * @return array[]
     */
    private static function decorate(int $courseid, array $rows): array {
        global $DB;
        if (!$rows) {
            return [];
        }
        $userids = array_values(array_unique(array_map(fn($r) => (int) $r->userid, $rows)));
        [$insql, $params] = $DB->get_in_or_equal($userids, SQL_PARAMS_NAMED);

        $roles = [];
        $context = \context_course::instance($courseid, IGNORE_MISSING);
        if ($context) {
            $rs = $DB->get_recordset_sql("SELECT ra.id, ra.userid, r.shortname
                                            FROM {role_assignments} ra
                                            JOIN {role} r ON r.id = ra.roleid
                                           WHERE ra.contextid = :contextid AND ra.userid $insql
                                        ORDER BY r.sortorder, ra.id", $params + ['contextid' => $context->id]);
            foreach ($rs as $ra) {
                $roles[(int) $ra->userid][$ra->shortname] = $ra->shortname;
            }
            $rs->close();
        }
        $access = $DB->get_records_select_menu('user_lastaccess', "courseid = :courseid AND userid $insql",
            $params + ['courseid' => $courseid], '', 'userid, timeaccess');
        $completed = $DB->get_records_select_menu('course_completions', "course = :courseid AND userid $insql",
            $params + ['courseid' => $courseid], '', 'userid, timecompleted');

        $items = [];
        foreach ($rows as $r) {
            $userid = (int) $r->userid;
            $suspended = (int) $r->status !== ENROL_USER_ACTIVE || (int) $r->instancestatus !== ENROL_INSTANCE_ENABLED;
            $items[] = [
                'id'              => (int) $r->id,
                'courseId'        => $courseid,
                'learnerId'       => $userid,
                'enrolId'         => (int) $r->enrolid,
                'method'          => (string) $r->enrol,
                'status'          => $suspended ? 'suspended' : 'active',
                'userSuspended'   => (int) $r->status !== ENROL_USER_ACTIVE,
                'instanceEnabled' => (int) $r->instancestatus === ENROL_INSTANCE_ENABLED,
                'start'           => (int) $r->timestart,
                'end'             => (int) $r->timeend,
                'timeCreated'     => (int) $r->timecreated,
                'timeModified'    => (int) $r->timemodified,
                'roles'           => array_values($roles[$userid] ?? []),
                'lastAccess'      => (int) ($access[$userid] ?? 0),
                'completedAt'     => (int) ($completed[$userid] ?? 0),
            ];
        }
        return $items;
    }
}
