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
 * Settings: where to send, how to sign, which courses, batch size; links to the status and test pages.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

if ($hassiteconfig || has_capability('local/coursenotification:manage', context_system::instance())) {
    $plugin = 'local_coursenotification';
    $ADMIN->add('localplugins', new admin_category('local_coursenotification_category',
        new lang_string('pluginname', $plugin)));

    $settings = new admin_settingpage('local_coursenotification', new lang_string('settings', $plugin));
    if ($ADMIN->fulltree) {
        $links = html_writer::link(new moodle_url('/local/coursenotification/status.php'), get_string('statuspage', $plugin))
            . ' · ' . html_writer::link(new moodle_url('/local/coursenotification/test.php'), get_string('testconnection', $plugin));
        $settings->add(new admin_setting_heading('local_coursenotification/intro', '',
            get_string('settings_intro', $plugin) . html_writer::div($links)));

        $settings->add(new admin_setting_configtext('local_coursenotification/url',
            new lang_string('url', $plugin), new lang_string('url_desc', $plugin), '', PARAM_URL, 80));
        $settings->add(new \local_coursenotification\admin_setting_secret('local_coursenotification/secret',
            new lang_string('secret', $plugin), new lang_string('secret_desc', $plugin), ''));
        $settings->add(new admin_setting_configtext('local_coursenotification/courses',
            new lang_string('courses', $plugin), new lang_string('courses_desc', $plugin), '', PARAM_SEQUENCE, 60));
        $settings->add(new admin_setting_configtext_with_maxlength('local_coursenotification/batchsize',
            new lang_string('batchsize', $plugin), new lang_string('batchsize_desc', $plugin), 100, PARAM_INT, 5, 4));
        $settings->add(new admin_setting_configduration('local_coursenotification/maxbackoff',
            new lang_string('maxbackoff', $plugin), new lang_string('maxbackoff_desc', $plugin), HOURSECS, MINSECS));
        $settings->add(new admin_setting_configtext('local_coursenotification/maxagedays',
            new lang_string('maxagedays', $plugin), new lang_string('maxagedays_desc', $plugin), 14, PARAM_INT, 5));
        $settings->add(new admin_setting_configtext('local_coursenotification/timeout',
            new lang_string('timeout', $plugin), new lang_string('timeout_desc', $plugin), 30, PARAM_INT, 5));
    }
    $ADMIN->add('local_coursenotification_category', $settings);
    $ADMIN->add('local_coursenotification_category', new admin_externalpage('local_coursenotification_status',
        new lang_string('statuspage', $plugin), new moodle_url('/local/coursenotification/status.php'),
        'local/coursenotification:manage'));
    $ADMIN->add('local_coursenotification_category', new admin_externalpage('local_coursenotification_test',
        new lang_string('testconnection', $plugin), new moodle_url('/local/coursenotification/test.php'),
        'local/coursenotification:manage'));
    $settings = null; // Added to the category above, not to the default place.
}
