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
 * Creates a course with a Page whose manual completion is the course's completion criterion: php course.php [--tag=T] [--startdays=-10] [--enddays=50]. Prints its ids.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/lib.php');

require_once($CFG->dirroot . '/course/lib.php');
require_once($CFG->libdir . '/completionlib.php');
require_once($CFG->dirroot . '/completion/criteria/completion_criteria_activity.php');

scenario_run(function () {
    global $DB;
    $o = scenario_options(['tag' => date('His') . random_string(3), 'startdays' => -10, 'enddays' => 50]);
    $tag = $o['tag'];
    $now = time();
    $course = create_course((object) [
        'fullname' => "Scenario course $tag", 'shortname' => "SC-$tag", 'category' => core_course_category::get_default()->id,
        'format' => 'topics', 'numsections' => 1, 'enablecompletion' => 1,
        'startdate' => usergetmidnight($now + (int) $o['startdays'] * DAYSECS),
        'enddate' => usergetmidnight($now + (int) $o['enddays'] * DAYSECS),
    ]);
    $page = create_module((object) [
        'modulename' => 'page', 'course' => $course->id, 'section' => 1, 'visible' => 1, 'name' => 'Read me',
        'introeditor' => ['text' => '', 'format' => FORMAT_HTML, 'itemid' => 0], 'content' => '<p>Hello</p>',
        'contentformat' => FORMAT_HTML, 'display' => 5, 'printintro' => 0, 'printlastmodified' => 1,
        'completion' => COMPLETION_TRACKING_MANUAL,
    ]);
    $criteria = (object) ['id' => $course->id, 'criteria_activity' => [$page->coursemodule => 1]];
    (new completion_criteria_activity())->update_config($criteria);
    foreach ([null, COMPLETION_CRITERIA_TYPE_ACTIVITY] as $type) {
        $agg = new completion_aggregation(['course' => $course->id, 'criteriatype' => $type]);
        $agg->setMethod(COMPLETION_AGGREGATION_ALL);
        $agg->save();
    }
    $manual = $DB->get_field('enrol', 'id', ['courseid' => $course->id, 'enrol' => 'manual'], MUST_EXIST);
    return ['courseId' => (int) $course->id, 'shortName' => $course->shortname, 'pageCmid' => (int) $page->coursemodule,
        'manualEnrolId' => (int) $manual, 'startDate' => (int) $course->startdate, 'endDate' => (int) $course->enddate];
});
