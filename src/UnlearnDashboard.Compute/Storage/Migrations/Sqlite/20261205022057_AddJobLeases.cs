using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace UnlearnDashboard.Compute.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddJobLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Attempts",
                table: "jobs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "CancelRequested",
                table: "jobs",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<double>(
                name: "DeadlineSeconds",
                table: "jobs",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LeaseExpiresAt",
                table: "jobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LeaseOwner",
                table: "jobs",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Attempts",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "CancelRequested",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "DeadlineSeconds",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "LeaseExpiresAt",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "LeaseOwner",
                table: "jobs");
        }
    }
}
