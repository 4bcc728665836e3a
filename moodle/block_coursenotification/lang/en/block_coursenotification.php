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
 * English strings for block_coursenotification.
 *
 * @package    block_coursenotification
 * @category   string
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['coursenotification:addinstance'] = 'Add a CourseNotification block';
$string['nosignals'] = 'No reminder is switched on for this course.';
$string['notconfigured'] = 'The CourseNotification service is not set up on this site yet (Site administration > Plugins > Local plugins > CourseNotification).';
$string['pluginname'] = 'CourseNotification';
$string['privacy:metadata'] = 'The block stores nothing. When a teacher follows its link, the local_coursenotification plugin sends the service a signed grant naming them (see that plugin).';
