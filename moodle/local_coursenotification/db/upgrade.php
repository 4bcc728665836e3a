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
 * Upgrade steps.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/**
 * Upgrades the plugin from an older version.
 *
 * @param int $oldversion The version installed before this upgrade.
 * @return bool
 */
function xmldb_local_coursenotification_upgrade($oldversion) {
    global $DB;
    $dbman = $DB->get_manager();

    // 2026112900: first release; its schema is db/install.xml. Later steps go below, each ending with
    // upgrade_plugin_savepoint(true, VERSION, 'local', 'coursenotification').
    if ($oldversion < 2026112900) {
        $table = new xmldb_table('local_coursenotification_ob');
        if (!$dbman->table_exists($table)) {
            $dbman->install_one_table_from_xmldb_file(__DIR__ . '/install.xml', 'local_coursenotification_ob');
        }
        if (!get_config('local_coursenotification', 'secret')) {
            set_config('secret', \local_coursenotification\webhook::generate_secret(), 'local_coursenotification');
        }
        upgrade_plugin_savepoint(true, 2026112900, 'local', 'coursenotification');
    }

    // 2026112901: access per course from Moodle (the capabilities viewcourse and managecourse, the counts
    // cache). Capabilities and cache definitions are read from db/access.php and db/caches.php by the
    // upgrade itself; no table changes. Counts cached by an older version cannot exist: nothing to purge.
    if ($oldversion < 2026112901) {
        upgrade_plugin_savepoint(true, 2026112901, 'local', 'coursenotification');
    }

    return true;
}
