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

namespace local_coursenotification\privacy;

use core_privacy\local\metadata\collection;
use core_privacy\local\request\approved_contextlist;
use core_privacy\local\request\approved_userlist;
use core_privacy\local\request\contextlist;
use core_privacy\local\request\transform;
use core_privacy\local\request\userlist;
use core_privacy\local\request\writer;
use local_coursenotification\outbox;

/**
 * Privacy API: the outbox holds events (with personal data) until the service accepted them; what is
 * sent goes to the CourseNotification service, an external location.
 *
 * Outbox rows belong to the course context of their course, or to the system context for events about
 * a person (login, profile change, deletion).
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class provider implements
    \core_privacy\local\metadata\provider,
    \core_privacy\local\request\core_userlist_provider,
    \core_privacy\local\request\plugin\provider {

    /**
     * What is stored and what is sent.
     *
     * @param collection $collection
     * @return collection
     */
    public static function get_metadata(collection $collection): collection {
        $collection->add_database_table(outbox::TABLE, [
            'eventname'     => 'privacy:metadata:outbox:eventname',
            'payload'       => 'privacy:metadata:outbox:payload',
            'courseid'      => 'privacy:metadata:outbox:courseid',
            'userid'        => 'privacy:metadata:outbox:userid',
            'relateduserid' => 'privacy:metadata:outbox:relateduserid',
            'timecreated'   => 'privacy:metadata:outbox:timecreated',
        ], 'privacy:metadata:outbox');
        $collection->add_external_location_link('coursenotification_service', [
            'userid'      => 'privacy:metadata:service:userid',
            'username'    => 'privacy:metadata:service:username',
            'fullname'    => 'privacy:metadata:service:fullname',
            'email'       => 'privacy:metadata:service:email',
            'idnumber'    => 'privacy:metadata:service:idnumber',
            'lang'        => 'privacy:metadata:service:lang',
            'timezone'    => 'privacy:metadata:service:timezone',
            'suspended'   => 'privacy:metadata:service:suspended',
            'access'      => 'privacy:metadata:service:access',
            'enrolments'  => 'privacy:metadata:service:enrolments',
            'roles'       => 'privacy:metadata:service:roles',
            'completion'  => 'privacy:metadata:service:completion',
            'events'      => 'privacy:metadata:service:events',
        ], 'privacy:metadata:service');
        $collection->add_external_location_link('coursenotification_access', [
            'userid'   => 'privacy:metadata:access:userid',
            'fullname' => 'privacy:metadata:access:fullname',
            'lang'     => 'privacy:metadata:access:lang',
            'courseid' => 'privacy:metadata:access:courseid',
        ], 'privacy:metadata:access');
        return $collection;
    }

    /**
     * Contexts holding outbox rows by or about a user.
     *
     * @param int $userid
     * @return contextlist
     */
    public static function get_contexts_for_userid(int $userid): contextlist {
        $contextlist = new contextlist();
        $contextlist->add_from_sql("SELECT ctx.id
                                      FROM {context} ctx
                                      JOIN {" . outbox::TABLE . "} ob ON ob.courseid = ctx.instanceid
                                     WHERE ctx.contextlevel = :courselevel AND ob.courseid > :siteid
                                       AND (ob.userid = :userid OR ob.relateduserid = :relateduserid)",
            ['courselevel' => CONTEXT_COURSE, 'siteid' => SITEID, 'userid' => $userid, 'relateduserid' => $userid]);
        $contextlist->add_from_sql("SELECT ctx.id
                                      FROM {context} ctx
                                     WHERE ctx.contextlevel = :systemlevel
                                       AND EXISTS (SELECT 1 FROM {" . outbox::TABLE . "} ob
                                                    WHERE ob.courseid <= :siteid
                                                      AND (ob.userid = :userid OR ob.relateduserid = :relateduserid))",
            ['systemlevel' => CONTEXT_SYSTEM, 'siteid' => SITEID, 'userid' => $userid, 'relateduserid' => $userid]);
        return $contextlist;
    }

    /**
     * Users with outbox rows in a context.
     *
     * @param userlist $userlist
     */
    public static function get_users_in_context(userlist $userlist) {
        [$select, $params] = self::context_rows($userlist->get_context());
        if ($select === null) {
            return;
        }
        $userlist->add_from_sql('userid', "SELECT userid FROM {" . outbox::TABLE . "} WHERE $select AND userid > 0", $params);
        $userlist->add_from_sql('relateduserid',
            "SELECT relateduserid FROM {" . outbox::TABLE . "} WHERE $select AND relateduserid > 0", $params);
    }

    /**
     * Exports a user's outbox rows.
     *
     * @param approved_contextlist $contextlist
     */
    public static function export_user_data(approved_contextlist $contextlist) {
        global $DB;
        $userid = (int) $contextlist->get_user()->id;
        foreach ($contextlist->get_contexts() as $context) {
            [$select, $params] = self::context_rows($context);
            if ($select === null) {
                continue;
            }
            $rows = $DB->get_records_select(outbox::TABLE, "$select AND (userid = :u1 OR relateduserid = :u2)",
                $params + ['u1' => $userid, 'u2' => $userid], 'id');
            if (!$rows) {
                continue;
            }
            $events = array_map(fn($r) => [
                'eventname'   => $r->eventname,
                'timecreated' => transform::datetime($r->timecreated),
                'attempts'    => (int) $r->attempts,
                'data'        => json_decode($r->payload),
            ], array_values($rows));
            writer::with_context($context)->export_data(
                [get_string('pluginname', 'local_coursenotification'), get_string('privacy:outbox', 'local_coursenotification')],
                (object) ['events' => $events]);
        }
    }

    /**
     * Deletes every outbox row of a context.
     *
     * @param \context $context
     */
    public static function delete_data_for_all_users_in_context(\context $context) {
        global $DB;
        [$select, $params] = self::context_rows($context);
        if ($select !== null) {
            $DB->delete_records_select(outbox::TABLE, $select, $params);
        }
    }

    /**
     * Deletes a user's outbox rows in the approved contexts.
     *
     * @param approved_contextlist $contextlist
     */
    public static function delete_data_for_user(approved_contextlist $contextlist) {
        global $DB;
        $userid = (int) $contextlist->get_user()->id;
        foreach ($contextlist->get_contexts() as $context) {
            [$select, $params] = self::context_rows($context);
            if ($select !== null) {
                $DB->delete_records_select(outbox::TABLE, "$select AND (userid = :u1 OR relateduserid = :u2)",
                    $params + ['u1' => $userid, 'u2' => $userid]);
            }
        }
    }

    /**
     * Deletes the outbox rows of some users in one context.
     *
     * @param approved_userlist $userlist
     */
    public static function delete_data_for_users(approved_userlist $userlist) {
        global $DB;
        [$select, $params] = self::context_rows($userlist->get_context());
        $userids = $userlist->get_userids();
        if ($select === null || !$userids) {
            return;
        }
        [$in1, $p1] = $DB->get_in_or_equal($userids, SQL_PARAMS_NAMED, 'ua');
        [$in2, $p2] = $DB->get_in_or_equal($userids, SQL_PARAMS_NAMED, 'ub');
        $DB->delete_records_select(outbox::TABLE, "$select AND (userid $in1 OR relateduserid $in2)", $params + $p1 + $p2);
    }

    /**
     * The outbox rows a context holds, as a where clause.
     *
     * @param \context $context
     * @return array{0: string|null, 1: array}
     */
    private static function context_rows(\context $context): array {
        if ($context->contextlevel == CONTEXT_COURSE) {
            return ['courseid = :ctxcourseid', ['ctxcourseid' => $context->instanceid]];
        }
        if ($context->contextlevel == CONTEXT_SYSTEM) {
            return ['courseid <= :ctxsiteid', ['ctxsiteid' => SITEID]];
        }
        return [null, []];
    }
}
