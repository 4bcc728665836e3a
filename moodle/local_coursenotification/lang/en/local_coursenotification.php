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
 * English strings for local_coursenotification.
 *
 * @package    local_coursenotification
 * @category   string
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['acknowledge'] = 'Acknowledge';
$string['acknowledged'] = 'Warning acknowledged.';
$string['backfill_done'] = 'Finished: {$a->count} courses ({$a->when})';
$string['backfill_partial'] = 'Stopped at course {$a->index} of {$a->count}, page {$a->page} ({$a->when}): run cli/backfill.php again with the same options to resume';
$string['batchsize'] = 'Batch size';
$string['batchsize_desc'] = 'Events per envelope (1 to 1000), and enrolments per envelope in a backfill.';
$string['block_due'] = '{$a} due now';
$string['block_failed'] = '{$a} failed';
$string['block_notknown'] = 'This course is not known to CourseNotification yet (it arrives with its first enrolment, or with a backfill).';
$string['block_open'] = 'Open the CourseNotification pages of this course';
$string['block_scheduled'] = '{$a} this week';
$string['block_sent'] = '{$a} sent';
$string['block_unreachable'] = 'The counts cannot be read now (service answer: {$a}).';
$string['cachedef_counts'] = 'CourseNotification counts per course, for the block';
$string['check_backlog'] = '{$a->count} events waiting; the oldest for {$a->age}. The service may be unreachable: see the status page.';
$string['check_dropped'] = '{$a} undelivered events were removed by the age bound. Run the backfill once the service is reachable, then acknowledge on the status page.';
$string['check_notconfigured'] = 'No service URL: nothing is recorded or sent.';
$string['check_ok'] = 'Delivering; {$a} events waiting.';
$string['check_outbox'] = 'CourseNotification outbox';
$string['cli_backfill_help'] = 'Pushes the full state of courses (enrolments with dates and status, people, completion, last access) to the CourseNotification service, in pages of enrolments.

Options:
  -c, --course=ID   one course
  -a, --all         every course in scope (see the "Courses" setting)
  -n, --dry-run     build the pages and show their size, send nothing
      --perpage=N   enrolments per envelope (default: the batch size setting)
      --restart     start over instead of resuming an interrupted run of the same kind
  -h, --help        this help

An interrupted run (service down, Ctrl+C) resumes at the page where it stopped when run again with the same options.

Example:
  php local/coursenotification/cli/backfill.php --all';
$string['cli_done'] = 'Done: {$a->courses} courses, {$a->enrolments} enrolments in {$a->seconds} s.';
$string['cli_nocourse'] = 'No course with id {$a}.';
$string['cli_resuming'] = 'Resuming at course {$a->course} ({$a->index} of {$a->count}), page {$a->page}.';
$string['cli_stopped'] = 'Stopped: {$a}. Run the same command again to resume from this page.';
$string['coursenode'] = 'Course notifications';
$string['coursenotification:manage'] = 'Manage the CourseNotification connection (status, test, warnings)';
$string['coursenotification:managecourse'] = 'Change a course\'s CourseNotification settings and send test mails';
$string['coursenotification:viewcourse'] = 'See a course\'s CourseNotification counts and pages';
$string['coursenotification:viewstate'] = 'Read the state of a course for CourseNotification (enrolment dates and status, names, emails, language, time zone)';
$string['courses'] = 'Courses';
$string['courses_desc'] = 'Ids of the courses to report on, separated by commas. Empty: every course.';
$string['droppedwarning'] = '{$a->count} undelivered events older than {$a->days} days were removed from the outbox (last time: {$a->when}). The service missed them: once it is reachable again, run <code>php local/coursenotification/cli/backfill.php --all</code> to send it the current state, then acknowledge this warning.';
$string['error_badsecret'] = 'The signing secret must be whsec_ followed by base64 of at least 16 bytes.';
$string['error_nourl'] = 'No service URL is set (Site administration > Plugins > Local plugins > CourseNotification).';
$string['error_push'] = 'Could not push the course state: {$a}';
$string['maxagedays'] = 'Keep undelivered events (days)';
$string['maxagedays_desc'] = 'Events the service has not accepted after this many days are removed, with a warning on the status page and in the site checks until acknowledged. 0: keep them until delivered.';
$string['maxbackoff'] = 'Longest wait between retries';
$string['maxbackoff_desc'] = 'After a failed delivery, events wait 1, 2, 4, 8... minutes before the next attempt, up to this. As soon as one delivery goes through, the events waiting after an outage are sent at once.';
$string['never'] = 'Never';
$string['now'] = 'Now';
$string['pluginname'] = 'CourseNotification';
$string['privacy:metadata:access'] = 'When a teacher follows the link to the CourseNotification pages of a course, Moodle sends the service a signed grant naming them, so the pages can show and record who made a change.';
$string['privacy:metadata:access:courseid'] = 'The course the pages are for.';
$string['privacy:metadata:access:fullname'] = 'The teacher\'s full name.';
$string['privacy:metadata:access:lang'] = 'The teacher\'s language, for the pages\' language.';
$string['privacy:metadata:access:userid'] = 'The teacher\'s user id.';
$string['privacy:metadata:outbox'] = 'Events waiting to be sent to the CourseNotification service. A row is deleted as soon as the service accepted it.';
$string['privacy:metadata:outbox:courseid'] = 'The course of the event.';
$string['privacy:metadata:outbox:eventname'] = 'The kind of event.';
$string['privacy:metadata:outbox:payload'] = 'The event as Moodle records it (who, what, when, related user, details).';
$string['privacy:metadata:outbox:relateduserid'] = 'The person the event is about.';
$string['privacy:metadata:outbox:timecreated'] = 'When the event happened.';
$string['privacy:metadata:outbox:userid'] = 'The person who acted.';
$string['privacy:metadata:service'] = 'The CourseNotification service emails learners reminders and questionnaires about their courses; it receives the events above and the current state of the courses, enrolments and people they concern.';
$string['privacy:metadata:service:access'] = 'First and last access to the site and last access to the course, last login.';
$string['privacy:metadata:service:completion'] = 'When the course was completed.';
$string['privacy:metadata:service:email'] = 'Email address.';
$string['privacy:metadata:service:enrolments'] = 'Enrolments: method, status, start and end dates.';
$string['privacy:metadata:service:events'] = 'The events (enrolments, role changes, activity views and completion, logins, profile changes, deletion).';
$string['privacy:metadata:service:fullname'] = 'First and last names.';
$string['privacy:metadata:service:idnumber'] = 'ID number.';
$string['privacy:metadata:service:lang'] = 'Preferred language.';
$string['privacy:metadata:service:roles'] = 'Roles in the course.';
$string['privacy:metadata:service:suspended'] = 'Whether the account is suspended.';
$string['privacy:metadata:service:timezone'] = 'Time zone.';
$string['privacy:metadata:service:userid'] = 'User id.';
$string['privacy:metadata:service:username'] = 'Username.';
$string['privacy:outbox'] = 'Events waiting to be sent';
$string['retrynow'] = 'Retry every waiting event now';
$string['retryqueued'] = '{$a} waiting events are due now; delivery is queued for the next cron run.';
$string['secret'] = 'Signing secret';
$string['secret_desc'] = 'Standard Webhooks secret (whsec_ followed by base64), generated at install. Give the same value to the service (Moodle__WebhookSecrets). To rotate: add the new secret to the service next to the old one, change it here, then remove the old one from the service.';
$string['settings'] = 'Settings';
$string['settings_intro'] = 'Sends the events the CourseNotification service uses, with the current state of the enrolments, people and courses they concern, as signed batches.';
$string['signal_closed'] = 'End of access';
$string['signal_completed'] = 'Completed';
$string['signal_end'] = 'Access ends in {$a} days';
$string['signal_firstcall'] = 'First reminder';
$string['signal_inactive'] = 'Inactivity';
$string['signal_secondcall'] = 'Second reminder';
$string['signal_welcome'] = 'Welcome';
$string['status_backfill'] = 'Last backfill';
$string['status_backlog'] = 'Events waiting';
$string['status_col_attempts'] = 'Failed attempts';
$string['status_col_course'] = 'Course';
$string['status_col_error'] = 'Last error';
$string['status_col_event'] = 'Event';
$string['status_col_next'] = 'Next attempt';
$string['status_col_time'] = 'Time';
$string['status_deliveredtotal'] = 'Events delivered since install';
$string['status_droppedtotal'] = 'Events removed undelivered (age bound) since install';
$string['status_due'] = 'Due now';
$string['status_events'] = '{$a} events';
$string['status_failing'] = 'Waiting after a failed attempt';
$string['status_lastdelivery'] = 'Last delivery';
$string['status_lasterror'] = 'Last error';
$string['status_oldest'] = 'Oldest waiting event';
$string['status_oldestrows'] = 'Oldest waiting events';
$string['status_url'] = 'Service URL';
$string['statuspage'] = 'Delivery status';
$string['task_deliver'] = 'Deliver events to CourseNotification';
$string['task_deliver_now'] = 'Deliver new events to CourseNotification';
$string['task_push_course'] = 'Push a course\'s state to CourseNotification';
$string['test_answer'] = 'Answer';
$string['test_duration'] = 'Duration';
$string['test_failed'] = 'The service did not accept the ping: {$a}';
$string['test_id'] = 'webhook-id';
$string['test_intro'] = 'Sends a signed ping (type moodle.ping, no personal data) to {$a} and shows the answer.';
$string['test_ok'] = 'The service accepted the ping (HTTP {$a->status}, {$a->ms} ms).';
$string['test_send'] = 'Send a test ping';
$string['test_status'] = 'HTTP status';
$string['testconnection'] = 'Test connection';
$string['timeago'] = '{$a} ago';
$string['timeout'] = 'Timeout (seconds)';
$string['timeout_desc'] = 'How long to wait for the service\'s answer before counting the attempt as failed.';
$string['url'] = 'Service URL';
$string['url_desc'] = 'Where envelopes are posted, e.g. https://app.azurewebsites.net/api/moodle/events?code=KEY. Empty: nothing is recorded. Moodle\'s HTTP security settings apply (blocked hosts and allowed ports) as well as its proxy.';
