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
 * Creates people: php user.php --username=U [--lang=fr] [--timezone=Europe/Paris] [--firstname=F] [--lastname=L] [--count=N] (with --count, usernames U1..UN). A missing fr language pack is stubbed (Moodle otherwise cleans lang fr to empty). Prints their ids.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/lib.php');

require_once($CFG->dirroot . '/user/lib.php');

scenario_run(function () {
    global $CFG;
    $o = scenario_options(['username' => null, 'lang' => 'en', 'timezone' => '99', 'firstname' => 'Test', 'lastname' => null,
        'count' => 0]);
    if (!$o['username']) {
        throw new invalid_parameter_exception('--username is required');
    }
    if ($o['lang'] !== 'en' && !get_string_manager()->translation_exists($o['lang'], false)) {
        $dir = "$CFG->dataroot/lang/{$o['lang']}";
        @mkdir($dir, $CFG->directorypermissions, true);
        file_put_contents("$dir/langconfig.php", "<?php\n\$string['thislanguage'] = '{$o['lang']}';\n"
            . "\$string['thislanguageint'] = '{$o['lang']}';\n\$string['parentlanguage'] = '';\n");
        get_string_manager()->reset_caches();
    }
    $names = (int) $o['count'] > 0 ? array_map(fn($i) => $o['username'] . $i, range(1, (int) $o['count'])) : [$o['username']];
    $ids = [];
    foreach ($names as $name) {
        $ids[$name] = (int) user_create_user(['username' => strtolower($name), 'password' => 'Passw0rd!', 'auth' => 'manual',
            'confirmed' => 1, 'mnethostid' => $CFG->mnet_localhost_id, 'firstname' => $o['firstname'],
            'lastname' => $o['lastname'] ?? $name, 'email' => strtolower($name) . '@example.com', 'lang' => $o['lang'],
            'timezone' => $o['timezone']]);
    }
    return ['ids' => $ids, 'users' => array_map('scenario_user_truth', array_values($ids))];
});
