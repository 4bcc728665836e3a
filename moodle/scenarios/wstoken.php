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
 * A web-service user and token for the service's pull sync, as an administrator would set it up: php wstoken.php [--username=cnservice]. Enables web services and REST, creates the user and a system role "CourseNotification service" with local/coursenotification:viewstate and what the core functions of the plugin's service need, authorises the user on the plugin's service (shortname local_coursenotification) and prints a permanent token (the same one when run again).
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/lib.php');

require_once($CFG->dirroot . '/user/lib.php');
require_once($CFG->dirroot . '/webservice/lib.php');

scenario_run(function () {
    global $DB, $CFG;
    $o = scenario_options(['username' => 'cnservice']);
    $caps = ['webservice/rest:use', 'local/coursenotification:viewstate', 'moodle/course:view', 'moodle/course:viewhiddencourses',
        'moodle/course:viewparticipants', 'moodle/course:enrolreview', 'moodle/course:useremail', 'moodle/user:viewdetails',
        'moodle/user:viewalldetails', 'moodle/user:viewhiddendetails', 'moodle/site:viewuseridentity',
        'moodle/site:accessallgroups', 'report/completion:view', 'moodle/course:update'];
    $sys = context_system::instance();
    set_config('enablewebservices', 1);
    $protocols = array_filter(explode(',', $CFG->webserviceprotocols ?? ''));
    set_config('webserviceprotocols', implode(',', array_unique([...$protocols, 'rest'])));

    $user = $DB->get_record('user', ['username' => $o['username'], 'deleted' => 0]);
    if (!$user) {
        $id = user_create_user(['username' => $o['username'], 'password' => 'Cn-service#' . random_string(12), 'auth' => 'manual',
            'firstname' => 'CourseNotification', 'lastname' => 'Service', 'email' => $o['username'] . '@example.com',
            'confirmed' => 1, 'mnethostid' => $CFG->mnet_localhost_id]);
        $user = $DB->get_record('user', ['id' => $id]);
    }
    $roleid = $DB->get_field('role', 'id', ['shortname' => 'coursenotification']);
    if (!$roleid) {
        $roleid = create_role('CourseNotification service', 'coursenotification', 'Read-only role for the CourseNotification service');
        set_role_contextlevels($roleid, [CONTEXT_SYSTEM]);
    }
    foreach ($caps as $cap) {
        assign_capability($cap, CAP_ALLOW, $roleid, $sys->id, true);
    }
    role_assign($roleid, $user->id, $sys->id);

    $service = $DB->get_record('external_services', ['shortname' => 'local_coursenotification'], '*', MUST_EXIST);
    if (!$service->enabled) {
        $DB->set_field('external_services', 'enabled', 1, ['id' => $service->id]);
    }
    if (!$DB->record_exists('external_services_users', ['externalserviceid' => $service->id, 'userid' => $user->id])) {
        (new webservice())->add_ws_authorised_user((object) ['externalserviceid' => $service->id, 'userid' => $user->id]);
    }
    $token = $DB->get_field('external_tokens', 'token', ['userid' => $user->id, 'externalserviceid' => $service->id]);
    if (!$token) {
        $token = \core_external\util::generate_token(EXTERNAL_TOKEN_PERMANENT, $service, $user->id, $sys, 0, '', 'CourseNotification');
    }
    accesslib_clear_all_caches(true);
    return ['token' => $token, 'userId' => (int) $user->id, 'service' => $service->shortname,
        'restUrl' => $CFG->wwwroot . '/webservice/rest/server.php'];
});
