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
 * Points the plugin at a service: php configure.php --url=URL [--secret=whsec_...|--newsecret] [--courses=1,2] [--batchsize=N] [--maxbackoff=SECONDS] [--maxagedays=N] [--allow-loopback]. --allow-loopback lets Moodle's HTTP client reach 127.0.0.1 and any port (test sites only). Prints the settings, secret included.
 *
 * @package    local_coursenotification
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/lib.php');

scenario_run(function () {
    $o = scenario_options(['url' => null, 'secret' => null, 'newsecret' => false, 'courses' => null, 'batchsize' => null,
        'maxbackoff' => null, 'maxagedays' => null, 'timeout' => null, 'allow-loopback' => false]);
    $p = 'local_coursenotification';
    foreach (['url', 'courses', 'batchsize', 'maxbackoff', 'maxagedays', 'timeout'] as $name) {
        if ($o[$name] !== null) {
            set_config($name, $o[$name], $p);
        }
    }
    if ($o['newsecret']) {
        set_config('secret', \local_coursenotification\webhook::generate_secret(), $p);
    } else if ($o['secret'] !== null) {
        if (\local_coursenotification\webhook::key($o['secret']) === null) {
            throw new invalid_parameter_exception('secret must be whsec_ + base64 of at least 16 bytes');
        }
        set_config('secret', $o['secret'], $p);
    }
    if ($o['allow-loopback']) {
        set_config('curlsecurityblockedhosts', '');
        set_config('curlsecurityallowedport', '');
    }
    $c = get_config($p);
    return ['url' => $c->url ?? '', 'secret' => $c->secret ?? '', 'courses' => $c->courses ?? '',
        'batchsize' => (int) ($c->batchsize ?? 0), 'maxbackoff' => (int) ($c->maxbackoff ?? 0),
        'maxagedays' => (int) ($c->maxagedays ?? 0), 'wwwroot' => $GLOBALS['CFG']->wwwroot,
        'siteTimeZone' => core_date::get_server_timezone()];
});
